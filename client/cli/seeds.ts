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
    SEED_INPUTS.filter((input) => ['number', 'bigint'].includes(typeof node.inputs?.[input])).map(
      (input) => `${id}.${input}`,
    ),
  );
}

/**
 * A uniformly random seed in 0 … 2^53−1: a plain number everywhere it is shown or stored, and
 * plenty of variety (ComfyUI's own editor draws below 2^50). `--seed N` takes any seed ComfyUI
 * does, up to 2^64−1, kept exact as a BigInt.
 */
export function randomSeed(): number {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return (high! & 0x1f_ffff) * 2 ** 32 + low!;
}

/** `--seed random` or `--seed N`: what to give every seed input (past 2^53−1 a BigInt, exact). */
export type SeedChoice = 'random' | number | bigint;

/** ComfyUI's seed range (KSampler's `seed`: 0 … 0xffffffffffffffff). */
const MAX_SEED = 0xffffffffffffffffn;

export function parseSeed(text: string): SeedChoice {
  if (text === 'random') return 'random';
  if (!/^\d+$/.test(text) || BigInt(text) > MAX_SEED)
    throw new UsageError(`--seed ${text}: expected random or a whole number from 0 to ${MAX_SEED}`);
  const seed = BigInt(text);
  return seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seed) : seed;
}

/** The seed values of one execute: a new draw each time for `random`. */
export function seedValues(targets: string[], choice: SeedChoice): Record<string, number | bigint> {
  return Object.fromEntries(targets.map((target) => [target, choice === 'random' ? randomSeed() : choice]));
}
