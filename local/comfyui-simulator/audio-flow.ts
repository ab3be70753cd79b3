import { hash32 } from './render-png';
import { decodeWav, type Waveform } from './wav-pcm';

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/**
 * The audio an AUDIO link carries, where the simulator knows it: LoadAudio of a WAV file (its
 * samples as ComfyUI decodes them, so a saver's output follows from the input) and EmptyAudio
 * (silence of its duration, rate and channels). Undefined otherwise: the saver renders a tone.
 */
export function waveformAt(
  prompt: Prompt,
  value: unknown,
  readInput: (name: string) => Buffer | undefined,
): Waveform | undefined {
  if (!Array.isArray(value) || typeof value[0] !== 'string') return undefined;
  const node = prompt[value[0]];
  if (node?.class_type === 'EmptyAudio') {
    const { duration, sample_rate: rate, channels } = node.inputs;
    if (typeof duration !== 'number' || typeof rate !== 'number' || typeof channels !== 'number')
      return undefined;
    const length = Math.round(duration * rate);
    return { sampleRate: rate, channels: Array.from({ length: channels }, () => new Float32Array(length)) };
  }
  if (node?.class_type !== 'LoadAudio' || typeof node.inputs.audio !== 'string') return undefined;
  const bytes = readInput(node.inputs.audio);
  return bytes && decodeWav(bytes);
}

/** A short mono tone at 16 kHz whose pitch depends only on `identity`, for audio the simulator cannot follow. */
export function renderTone(identity: string, seconds = 0.25, sampleRate = 16_000): Waveform {
  const frequency = 220 + (hash32(identity) % 660);
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(Math.sin((2 * Math.PI * frequency * i) / sampleRate) * 12_000) / 32_768;
  return { sampleRate, channels: [samples] };
}
