// Gap-free playback of the interviewer's voice: int16 LE, 16 kHz, mono.
//
// Each binary message becomes one AudioBuffer scheduled right after the previous one on
// the AudioContext clock, so consecutive chunks play back to back without gaps.
// Audio belongs to the most recent reply started and not yet done (protocol rule);
// after stop() the rest of that reply's audio is dropped.
//
// Events: 'playingchange' (detail: {playing}), 'replyend' (detail: {replyId, interrupted})
// when the last audio of a reply has finished playing, or was cancelled by stop().

const RATE = 16000;
// Jitter buffer when playback (re)starts from idle; it grows after each underrun in the
// middle of a reply (audio arrived late), up to MAX_LEAD_S.
const START_LEAD_S = 0.06;
const MAX_LEAD_S = 0.25;
const TICK_MS = 25;

export class Player extends EventTarget {
  /**
   * @param {AudioContext} ctx
   * @param {{playedSamples:number, receivedSamples:number, underruns?:number}} stats counters updated live
   */
  constructor(ctx, stats) {
    super();
    this.ctx = ctx;
    this.stats = stats;
    this.gain = ctx.createGain();
    this.gain.connect(ctx.destination);
    this.nextTime = 0;
    this.sources = new Set(); // scheduled, not yet ended
    this.pendingStart = []; // {when, n, counted} not yet counted in playedSamples
    this.replies = new Map(); // replyId -> {pending, done, interrupted, fired}
    this.current = null; // reply id that incoming audio belongs to
    this.lead = START_LEAD_S;
    this.timer = null;
    this.wasPlaying = false;
  }

  get playing() {
    return this.sources.size > 0;
  }

  /** reply_started: audio that follows belongs to `replyId`. */
  startReply(replyId) {
    // Audio now belongs to the new reply, so an unfinished previous one gets no more.
    if (this.current !== null && this.current !== replyId) this.endReply(this.current);
    this.current = replyId;
    this.replies.set(replyId, { pending: 0, done: false, interrupted: false, fired: false, started: false });
  }

  /** reply_done: no more audio for `replyId`. */
  endReply(replyId, interrupted = false) {
    const r = this.replies.get(replyId);
    if (this.current === replyId) this.current = null;
    if (!r) return;
    r.done = true;
    r.interrupted = r.interrupted || interrupted;
    this.maybeFire(replyId, r);
  }

  /** One binary message from the server. */
  receive(data) {
    const n = data.byteLength >> 1;
    this.stats.receivedSamples += n;
    if (this.current === null || n === 0 || this.ctx.state === 'closed') return;
    const r = this.replies.get(this.current);
    if (!r || r.done) return;

    const view = new DataView(data);
    const buffer = this.ctx.createBuffer(1, n, RATE);
    const out = buffer.getChannelData(0);
    for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true) / 32768;

    const now = this.ctx.currentTime;
    let when = this.nextTime;
    if (when <= now + 0.005) {
      if (r.started) {
        // Ran dry in the middle of a reply: buffer more from now on.
        this.stats.underruns = (this.stats.underruns || 0) + 1;
        this.lead = Math.min(MAX_LEAD_S, this.lead + 0.05);
      }
      when = now + this.lead;
    }
    r.started = true;
    const src = this.ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(this.gain);
    const replyId = this.current;
    const entry = { when, n, counted: false };
    src.onended = () => {
      this.sources.delete(src);
      this.countStarted(entry);
      r.pending -= 1;
      this.maybeFire(replyId, r);
      this.updatePlaying();
    };
    src.start(when);
    this.nextTime = when + buffer.duration;
    this.sources.add(src);
    this.pendingStart.push(entry);
    r.pending += 1;
    this.updatePlaying();
    this.ensureTicking();
  }

  /** stop_playback: silence now and drop everything queued, including the rest of the reply. */
  stop() {
    for (const src of this.sources) {
      src.onended = null;
      try {
        src.stop();
        src.disconnect();
      } catch {
        // never started or context closed
      }
    }
    this.sources.clear();
    this.tick(); // count what had already started before dropping the rest
    this.pendingStart = [];
    this.nextTime = 0;
    for (const [id, r] of this.replies) {
      r.pending = 0;
      if (!r.fired) {
        r.done = true;
        r.interrupted = true;
        this.maybeFire(id, r);
      }
    }
    this.current = null;
    this.updatePlaying();
  }

  /** Stop everything and release the output node (the context is closed by its owner). */
  close() {
    this.stop();
    clearInterval(this.timer);
    this.timer = null;
    try {
      this.gain.disconnect();
    } catch {
      // context already closed
    }
  }

  countStarted(entry) {
    if (entry.counted) return;
    entry.counted = true;
    this.stats.playedSamples += entry.n;
  }

  /** Count chunks whose start time has passed on the audio clock. */
  tick() {
    const now = this.ctx.currentTime;
    while (this.pendingStart.length && (this.pendingStart[0].counted || this.pendingStart[0].when <= now)) {
      this.countStarted(this.pendingStart.shift());
    }
    if (!this.pendingStart.length && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  ensureTicking() {
    if (this.timer === null) this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  maybeFire(replyId, r) {
    if (r.fired || !r.done || r.pending > 0) return;
    r.fired = true;
    this.replies.delete(replyId);
    this.dispatchEvent(new CustomEvent('replyend', { detail: { replyId, interrupted: r.interrupted } }));
  }

  updatePlaying() {
    const playing = this.playing;
    if (playing === this.wasPlaying) return;
    this.wasPlaying = playing;
    this.dispatchEvent(new CustomEvent('playingchange', { detail: { playing } }));
  }
}
