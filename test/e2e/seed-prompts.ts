import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEEDS_DIR, seedJsonExample } from '../fixtures/prompts';

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** ESD printed numbers as strings (seed 000); links keep their node id as a string. */
function unstringify(value: unknown): unknown {
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string')
    return [value[0], unstringify(value[1])];
  if (Array.isArray(value)) return value.map(unstringify);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unstringify(v)]));
  return value;
}

/** Seed 000: ESD's SDXL base + refiner graph (two KSamplerAdvanced), numbers restored. */
export function seed000RefinerPrompt(): Prompt {
  return unstringify(seedJsonExample('000_bfbd4ba4848a0840.txt').data.prompt_params.prompt) as Prompt;
}

/** The first JSON object after a marker in a seed document (doc pages interleave `|` lines). */
function jsonAfter(file: string, marker: string): any {
  const text = readFileSync(join(SEEDS_DIR, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '|')
    .join('\n');
  const start = text.indexOf('{', text.indexOf(marker));
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return JSON.parse(text.slice(start, i + 1));
  }
  throw new Error(`no JSON object after '${marker}' in ${file}`);
}

/**
 * Seed 003's /prompt body, adapted to the simulator's core catalog: its two custom preprocessors
 * (HEDPreprocessor, ScribblePreprocessor) become core ImageInvert nodes on the same image, the
 * unused one is dropped, the uploaded images become the simulator's example input, and
 * CLIPVisionEncode gets the `crop` input today's ComfyUI requires.
 */
export function seed003PromptBody(): { client_id: string; prompt: Prompt } {
  const body = jsonAfter('003_696ce9fb7fffc8bc.txt', '请求参数示例');
  const prompt = body.prompt as Prompt;
  delete prompt['43'];
  for (const id of ['44', '47'])
    prompt[id] = { class_type: 'ImageInvert', inputs: { image: prompt[id]!.inputs.image } };
  for (const node of Object.values(prompt)) {
    if (node.class_type === 'LoadImage') node.inputs.image = 'example.png';
    // CLIPVisionEncode gained a required `crop` after this seed was written; 'center' is its default.
    if (node.class_type === 'CLIPVisionEncode') node.inputs.crop ??= 'center';
  }
  return body;
}

/** Seed 004: a UI workflow (the editor's File → Save) posted as `prompt`, exactly as in the seed. */
export function seed004UiWorkflow(): any {
  return jsonAfter('004_f04e0dd9be727d98.txt', '文生图示例').prompt;
}
