import type { ApiPrompt } from '../src/index';
import { UsageError } from './exit-codes';

/** The inputs samplers take their noise from: KSampler's `seed`; KSamplerAdvanced's, SamplerCustom's and RandomNoise's `noise_seed`. */
const SEED_INPUTS = ['seed', 'noise_seed'];

/**
 * Every `NODE.seed` / `NODE.noise_seed` that holds a number (a seed linked from another node is
 * set there, where it is a number), in node order.
 */
export function seedTargets(prompt: ApiPrompt): string[] {
  return Object.entries(prompt).flatMap(([id, node]) =>
    SEED_INPUTS.filter((input) => typeof node.inputs?.[input] === 'number').map((input) => `${id}.${input}`),
  );
}

/**
 * A uniformly random seed in 0 … 2^53−1. ComfyUI accepts up to 2^64−1, but the prompt travels as
 * JSON through JavaScript (this command, the API's Lambda functions), where an integer above
 * 2^53 silently becomes a neighbouring one: the seed recorded would not be the seed run, and a
 * value near 2^64 could even round past ComfyUI's maximum. 2^53 seeds are plenty of variety.
 */
export function randomSeed(): number {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return (high! & 0x1f_ffff) * 2 ** 32 + low!;
}

/** `--seed random` or `--seed N`: what to give every seed input. */
export type SeedChoice = 'random' | number;

export function parseSeed(text: string): SeedChoice {
  if (text === 'random') return 'random';
  const seed = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seed))
    throw new UsageError(
      `--seed ${text}: expected random or a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (larger ones do not survive JSON in JavaScript)`,
    );
  return seed;
}

/** The seed values of one execute: a new draw each time for `random`. */
export function seedValues(targets: string[], choice: SeedChoice): Record<string, number> {
  return Object.fromEntries(targets.map((target) => [target, choice === 'random' ? randomSeed() : choice]));
}
