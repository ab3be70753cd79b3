import { useEffect, useState } from 'preact/hooks';
import { type Exact, parseInteger } from './exact-numbers';

/** ComfyUI's seed inputs take 0 to 0xffffffffffffffff. */
const SEED_MAX = 2n ** 64n - 1n;
/**
 * Randomize draws below 2^50, as ComfyUI's editor does for its own "randomize": every such seed
 * is a safe JavaScript integer, exact wherever the prompt travels.
 */
const RANDOM_BOUND = 2 ** 50;

export const isSeedName = (name: string) => name === 'seed' || name === 'noise_seed';

export function randomSeed(): number {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2)) as unknown as [number, number];
  return ((high % 2 ** 18) * 2 ** 32 + low) % RANDOM_BOUND;
}

/** The problem with a typed seed, or undefined when ComfyUI takes it. */
function seedProblem(value: Exact | undefined): string | undefined {
  if (value === undefined) return 'a seed is a whole number';
  const big = BigInt(value);
  if (big < 0n || big > SEED_MAX) return `a seed is from 0 to ${SEED_MAX}`;
  return undefined;
}

/**
 * A seed as text, every digit shown and kept (a number field would round past 2^53), with a
 * button for a new random one. What is typed is always what is sent: a seed ComfyUI refuses is
 * said beside the field and sent as typed, so the endpoint refuses it on its node too (never the
 * previous seed in its place).
 */
export function SeedField(props: {
  id: string;
  label: string;
  value: Exact | string;
  onChange(value: Exact | string): void;
}) {
  const [text, setText] = useState(String(props.value));
  useEffect(() => setText(String(props.value)), [props.value]);
  const problem = seedProblem(parseInteger(text));
  const commit = (typed: string) => props.onChange(parseInteger(typed) ?? typed);
  return (
    <span class="seed">
      <input
        id={props.id}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        spellcheck={false}
        value={text}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={problem ? `${props.id}-problem` : undefined}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
        onChange={(e) => commit((e.target as HTMLInputElement).value)}
      />{' '}
      <button
        type="button"
        // "Randomize the seed of #3 KSampler": not the field's own label, which names the field alone.
        aria-label={`Randomize the ${props.label.split(' · ').reverse().join(' of ')}`}
        onClick={() => {
          const seed = randomSeed();
          setText(String(seed));
          props.onChange(seed);
        }}
      >
        Randomize
      </button>
      {problem && (
        <span id={`${props.id}-problem`} class="error">
          {' '}
          {problem}
        </span>
      )}
    </span>
  );
}
