type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/**
 * The audio an AUDIO link carries when it comes straight from LoadAudio of a WAV file: the
 * simulator passes those samples through to the saver, so the output follows from the input.
 * (The real SaveAudio encodes FLAC; the simulator keeps WAV: see docs/reliability.md.)
 */
export function wavAt(
  prompt: Prompt,
  value: unknown,
  readInput: (name: string) => Buffer | undefined,
): Buffer | undefined {
  if (!Array.isArray(value) || typeof value[0] !== 'string') return undefined;
  const node = prompt[value[0]];
  if (node?.class_type !== 'LoadAudio' || typeof node.inputs.audio !== 'string') return undefined;
  const bytes = readInput(node.inputs.audio);
  return bytes &&
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WAVE'
    ? bytes
    : undefined;
}
