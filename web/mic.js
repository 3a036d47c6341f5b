// Microphone capture: getUserMedia -> AudioWorklet (mic-worklet.js) -> 640-byte frames.

const CONSTRAINTS = {
  audio: {
    channelCount: 1,
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
  },
};

/** A microphone problem, with `kind` naming the cause for the help text. */
export class MicError extends Error {
  constructor(kind, message, cause) {
    super(message);
    this.name = 'MicError';
    this.kind = kind; // insecure | unsupported | denied | notfound | busy | failed
    this.cause = cause;
  }
}

/** Why the microphone cannot be used on this page at all, or null if it can be tried. */
export function micUnavailableReason() {
  if (!window.isSecureContext) return 'insecure';
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return 'insecure';
  if (typeof AudioWorkletNode === 'undefined') return 'unsupported';
  return null;
}

function classify(err) {
  switch (err && err.name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'notfound';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}

/**
 * Open the microphone on `ctx` and start producing frames.
 * onFrame(pcm: ArrayBuffer(640), rms: number) is called ~50 times a second;
 * onEnded() if the device goes away (unplugged, revoked).
 * Returns { stop(), sampleRate, label }.
 */
export async function openMic(ctx, { onFrame, onEnded }) {
  const reason = micUnavailableReason();
  if (reason) throw new MicError(reason, `Microphone unavailable: ${reason}`);

  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia(CONSTRAINTS);
  } catch (err) {
    throw new MicError(classify(err), err && err.message ? err.message : String(err), err);
  }

  const stopTracks = () => stream.getTracks().forEach((t) => t.stop());
  let node;
  let source;
  try {
    await ctx.audioWorklet.addModule(new URL('./mic-worklet.js', import.meta.url));
    source = ctx.createMediaStreamSource(stream);
    node = new AudioWorkletNode(ctx, 'mic-capture', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      // Let the browser downmix whatever the device delivers to mono.
      channelCount: 1,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
    });
  } catch (err) {
    stopTracks();
    throw new MicError('unsupported', err && err.message ? err.message : String(err), err);
  }

  node.port.onmessage = (e) => onFrame(e.data.pcm, e.data.rms);
  source.connect(node);
  // The node outputs silence; connecting it to the destination keeps it pulled in every browser.
  node.connect(ctx.destination);

  const [track] = stream.getAudioTracks();
  let stopped = false;
  if (track && onEnded) {
    track.addEventListener('ended', () => {
      if (!stopped) onEnded();
    });
  }

  return {
    sampleRate: ctx.sampleRate,
    label: track ? track.label : '',
    stop() {
      if (stopped) return;
      stopped = true;
      node.port.postMessage('stop');
      node.port.onmessage = null;
      try {
        source.disconnect();
        node.disconnect();
      } catch {
        // already disconnected (context closed)
      }
      stopTracks();
    },
  };
}
