/** ComfyUI's AUDIO: float samples per channel, and their rate. */
export interface Waveform {
  sampleRate: number;
  channels: Float32Array[];
}

/**
 * A WAV file as LoadAudio reads it (comfy_extras/nodes_audio.py `load`: PyAV decodes, then
 * `f32_pcm`): 16-bit samples / 2^15, 24- and 32-bit (FFmpeg widens 24 to 32) / 2^31, float as
 * it is. 8-bit WAV fails there ("Unsupported wav dtype"), and so it does here. Undefined for
 * bytes that are not a PCM or float WAV.
 */
export function decodeWav(bytes: Buffer): Waveform | undefined {
  if (bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE')
    return undefined;
  let format: { tag: number; channels: number; rate: number; bits: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    const body = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + size));
    if (id === 'fmt ' && body.length >= 16) {
      const tag = body.readUInt16LE(0);
      format = {
        // WAVE_FORMAT_EXTENSIBLE names the real format in its sub-format GUID's first two bytes.
        tag: tag === 0xfffe && body.length >= 26 ? body.readUInt16LE(24) : tag,
        channels: body.readUInt16LE(2),
        rate: body.readUInt32LE(4),
        bits: body.readUInt16LE(14),
      };
    }
    if (id === 'data' && format) return samplesOf(body, format);
    at += 8 + size + (size % 2);
  }
  return undefined;
}

function samplesOf(data: Buffer, format: { tag: number; channels: number; rate: number; bits: number }) {
  const { tag, channels, bits } = format;
  if (channels < 1 || ![1, 3].includes(tag)) return undefined;
  if (tag === 1 && bits === 8) throw new Error('Unsupported wav dtype: torch.uint8');
  const read: Record<string, (at: number) => number> = {
    '1/16': (at) => data.readInt16LE(at) / 2 ** 15,
    '1/24': (at) => Math.fround(data.readIntLE(at, 3) * 256) / 2 ** 31,
    '1/32': (at) => Math.fround(data.readInt32LE(at)) / 2 ** 31,
    '3/32': (at) => data.readFloatLE(at),
    '3/64': (at) => data.readDoubleLE(at),
  };
  const sample = read[`${tag}/${bits}`];
  if (!sample) return undefined;
  const width = (bits / 8) * channels;
  const frames = Math.floor(data.length / width);
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++)
    for (let c = 0; c < channels; c++) planes[c]![i] = sample(i * width + (c * bits) / 8);
  return { sampleRate: format.rate, channels: planes };
}

/** FFmpeg's float → s16 conversion (libswresample): lrintf(x · 2^15), clipped. */
export function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const scaled = Math.fround(samples[i]! * 32768);
    // lrintf rounds half to even.
    const floor = Math.floor(scaled);
    const rounded = scaled - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled);
    out[i] = Math.max(-32768, Math.min(32767, Number.isNaN(rounded) ? 0 : rounded));
  }
  return out;
}
