export type PromptGraph = Record<
  string,
  { class_type?: string; inputs?: Record<string, unknown>; _meta?: { title?: string } }
>;

const TEXT_INPUTS = ['text', 'text_g', 'prompt', 'positive', 'string', 'value'];

const isLink = (value: unknown): value is [string, number] =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'string';

const textOf = (node: PromptGraph[string] | undefined) => {
  for (const name of TEXT_INPUTS) {
    const value = node?.inputs?.[name];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
};

/**
 * The line a person would recognise the prompt by: the text of what feeds a sampler's `positive`,
 * else the first text input of any node.
 */
export function promptLine(prompt: PromptGraph | undefined): string | undefined {
  if (!prompt) return undefined;
  for (const node of Object.values(prompt)) {
    const positive = node.inputs?.positive;
    if (isLink(positive)) {
      const text = textOf(prompt[positive[0]]);
      if (text) return text;
    }
  }
  for (const node of Object.values(prompt)) {
    const text = textOf(node);
    if (text) return text;
  }
  return undefined;
}
