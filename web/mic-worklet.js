// AudioWorkletProcessor: microphone at the context's native rate -> 16 kHz mono int16 LE,
// posted to the main thread as exactly 320-sample (640-byte) frames, each with its RMS level.
//
// Resampling: a windowed-sinc (Blackman) low-pass runs at the input rate to remove
// everything above ~7.2 kHz (anti-aliasing), then the filtered signal is read at the
// 16 kHz output instants by linear interpolation. Works for any input rate (48 k, 44.1 k...).

const OUT_RATE = 16000;
const FRAME_SAMPLES = 320; // 20 ms at 16 kHz = 640 bytes

/** Odd-length Blackman-windowed sinc low-pass, cutoff in cycles per input sample, unit DC gain. */
function designLowpass(cutoff, length) {
  const taps = new Float32Array(length);
  const mid = (length - 1) / 2;
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1))
      + 0.08 * Math.cos((4 * Math.PI * i) / (length - 1));
    taps[i] = sinc * w;
    sum += taps[i];
  }
  for (let i = 0; i < length; i++) taps[i] /= sum;
  return taps;
}

class MicCaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    // `sampleRate` is the AudioWorkletGlobalScope's context rate.
    this.step = sampleRate / OUT_RATE; // input samples per output sample
    if (this.step > 1) {
      // ~24 taps per output sample keeps the transition band narrow (~3.5 kHz at 48 kHz).
      const length = Math.ceil(this.step * 24) | 1;
      this.taps = designLowpass(0.45 / this.step, length);
    } else {
      this.taps = new Float32Array([1]); // no downsampling needed: no filter
    }
    const n = this.taps.length;
    // History stored twice so the last n samples are always one contiguous window.
    this.hist = new Float32Array(2 * n);
    this.histPos = 0;
    this.prev = 0; // previous filtered sample
    this.pos = 1; // position of the next output instant, relative to `prev` (0) and the new sample (1)
    this.frame = new Int16Array(FRAME_SAMPLES);
    this.view = new DataView(this.frame.buffer);
    this.fill = 0;
    this.sumSquares = 0;
    this.silence = new Float32Array(128);
    this.running = true;
    this.port.onmessage = (e) => {
      if (e.data === 'stop') this.running = false;
    };
  }

  filter(x) {
    const n = this.taps.length;
    const hist = this.hist;
    this.histPos = (this.histPos + 1) % n;
    hist[this.histPos] = x;
    hist[this.histPos + n] = x;
    // Window hist[histPos+1 .. histPos+n] holds the last n samples, oldest first.
    // The taps are symmetric, so their order does not matter.
    const taps = this.taps;
    let acc = 0;
    for (let i = 0, j = this.histPos + 1; i < n; i++, j++) acc += taps[i] * hist[j];
    return acc;
  }

  emit(y) {
    const s = y > 1 ? 1 : y < -1 ? -1 : y;
    this.view.setInt16(this.fill * 2, Math.round(s * 32767), true);
    this.sumSquares += s * s;
    this.fill += 1;
    if (this.fill === FRAME_SAMPLES) {
      const rms = Math.sqrt(this.sumSquares / FRAME_SAMPLES);
      const pcm = this.frame.buffer;
      this.port.postMessage({ pcm, rms }, [pcm]);
      this.frame = new Int16Array(FRAME_SAMPLES);
      this.view = new DataView(this.frame.buffer);
      this.fill = 0;
      this.sumSquares = 0;
    }
  }

  process(inputs) {
    if (!this.running) return false;
    const input = inputs[0];
    // No channel means no active input right now: feed silence so the stream stays
    // continuous (the server's session clock counts frames).
    const ch = input && input.length > 0 ? input[0] : this.silence;
    const step = this.step;
    for (let i = 0; i < ch.length; i++) {
      const y = this.filter(ch[i]);
      while (this.pos <= 1) {
        this.emit(this.prev + (y - this.prev) * this.pos);
        this.pos += step;
      }
      this.pos -= 1;
      this.prev = y;
    }
    return true;
  }
}

registerProcessor('mic-capture', MicCaptureProcessor);
