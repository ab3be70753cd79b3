import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  type ApiPrompt,
  type ComfyExecClient,
  type CreatedInput,
  type Execute,
  ExecuteFailedError,
  exactJsonText,
  type PromptSource,
  PromptValidationError,
  parseSetValue,
  resolvePromptSource,
  type UploadedInput,
} from '../../src/index';
import { fileFromPath } from '../../src/node/index';
import type { Context } from '../context';
import { textLines } from '../execute-details';
import { describeFailure, EXIT, UsageError } from '../exit-codes';
import { followRun } from '../follow-run';
import { parseSeed, type SeedChoice, seedTargets, seedValues } from '../seeds';
import { runTemplate } from './run-template';

const REMOTE_SOURCE = /^(https:\/\/|http:\/\/|s3:\/\/|data:)/;
/** More executes than this from one command is more likely a typo than a plan. */
const MAX_REPEAT = 100;

/** `KEY=VALUE` pairs of a repeated option. */
export function pairs(values: string[], option: string): [string, string][] {
  return values.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${option} ${pair}: expected KEY=VALUE`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  });
}

async function readWorkflow(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

function repeatOf(text: string): number {
  const repeat = Number(text);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT)
    throw new UsageError(`--repeat ${text}: expected a whole number from 1 to ${MAX_REPEAT}`);
  return repeat;
}

/** The prompt in the API format, so its seed inputs can be named (a UI workflow is converted by a dry run). */
export async function apiPromptOf(
  client: ComfyExecClient,
  bytes: Uint8Array,
  endpoint?: string,
): Promise<ApiPrompt> {
  const resolved = await resolvePromptSource(bytes);
  if (resolved.kind === 'api') return resolved.prompt as ApiPrompt;
  const converted = await client
    .dryRun({ prompt: resolved.prompt, ...(endpoint ? { endpoint_name: endpoint } : {}) })
    .catch((error: unknown) => {
      // Refused as converted (a model the endpoint lacks): --set may be the fix, and each create
      // validates the prompt again once it is applied.
      if (error instanceof PromptValidationError && error.prompt) return { prompt: error.prompt };
      throw error;
    });
  return converted.prompt as ApiPrompt;
}

/** One execute of a workflow file: created by run() with its inputs and values, then followed. */
const runOnce = (
  context: Context,
  source: PromptSource,
  options: RunFlags,
  settings: { inputs: Record<string, File | string>; set: Record<string, unknown>; label: string },
  interrupted: { value: boolean },
) =>
  followRun(context, options, settings.label, interrupted, (hooks) =>
    context.client().run(source, {
      inputs: settings.inputs,
      set: settings.set,
      ...(options.endpoint ? { endpointName: options.endpoint } : {}),
      ...(options.promptId ? { promptId: options.promptId } : {}),
      ...(options.webhook ? { request: { webhook: { url: options.webhook } } } : {}),
      ...uploadNotices(context),
      ...hooks,
    }),
  );

/** `--input NAME=FILE|URL` flags as run() takes them: local files read, URLs passed on. */
export async function inputsOf(flags: string[]): Promise<Record<string, File | string>> {
  const inputs: Record<string, File | string> = {};
  for (const [key, value] of pairs(flags, '--input'))
    inputs[key] = REMOTE_SOURCE.test(value)
      ? value
      : await fileFromPath(value).catch(() => {
          throw new UsageError(`--input ${key}=${value}: no such file`);
        });
  return inputs;
}

/** What a file going up, or an earlier upload used again, is told as. */
export const uploadNotices = (context: Context) => ({
  onUpload: (input: CreatedInput) => context.info(`uploaded ${input.filename} as ${input.name}`),
  onReuse: (input: UploadedInput) =>
    context.info(`reusing ${input.name}: the same ${input.filename} is uploaded`),
});

async function run(context: Context, workflowPath: string | undefined, options: RunFlags) {
  if (options.template !== undefined) {
    if (workflowPath !== undefined)
      throw new UsageError(`give a workflow file or --template ${options.template}, not both`);
    refuseWithTemplate(options);
    return runTemplate(context, options.template, options);
  }
  if (workflowPath === undefined) throw new UsageError('missing the workflow file (or --template NAME)');
  if (options.param.length > 0)
    throw new UsageError('--param goes with --template; change a workflow file with --set NODE.INPUT=VALUE');
  const client = context.client();
  const repeat = repeatOf(options.repeat);
  if (repeat > 1 && options.promptId)
    throw new UsageError(`--repeat makes ${repeat} executes: each needs its own id, leave out --prompt-id`);
  const seed: SeedChoice | undefined = options.seed
    ? parseSeed(options.seed)
    : repeat > 1
      ? 'random'
      : undefined;
  if (repeat > 1 && typeof seed === 'number')
    throw new UsageError(`--repeat gives each execute new seeds: leave out --seed ${options.seed}`);
  const inputs = await inputsOf(options.input);
  const set = Object.fromEntries(
    pairs(options.set, '--set').map(([key, value]) => [key, parseSetValue(value)]),
  );
  let source: PromptSource = await readWorkflow(workflowPath);
  let targets: string[] = [];
  if (seed !== undefined) {
    const prompt = await apiPromptOf(client, source as Uint8Array, options.endpoint);
    // A seed given with --set stays as given.
    targets = seedTargets(prompt).filter((target) => !(target in set));
    if (targets.length === 0 && options.seed)
      throw new UsageError(`--seed ${options.seed}: the workflow has no seed or noise_seed input to set`);
    source = prompt;
  }
  const interrupted = { value: false };
  const finished: Execute[] = [];
  let code: number = EXIT.success;
  for (let i = 0; i < repeat && !interrupted.value; i++) {
    const label = repeat > 1 ? `[${i + 1}/${repeat}] ` : '';
    const seeds = seed === undefined ? {} : seedValues(targets, seed);
    if (targets.length > 0)
      context.info(
        `${label}${Object.entries(seeds)
          .map(([target, value]) => `${target}=${value}`)
          .join(' ')}`,
      );
    try {
      const { execute, paths } = await runOnce(
        context,
        source,
        options,
        { inputs, set: { ...seeds, ...set }, label },
        interrupted,
      );
      finished.push(execute);
      if (!options.wait) {
        if (!options.json) context.out(execute.prompt_id);
        continue;
      }
      if (!options.json) for (const line of [...paths, ...textLines(execute)]) context.out(line);
    } catch (error) {
      // One failed execute of a --repeat is told and the others still run; anything else stops all.
      if (!(error instanceof ExecuteFailedError) || repeat === 1) {
        if (error instanceof ExecuteFailedError && options.json)
          context.out(exactJsonText(error.execute, undefined, 2));
        throw error;
      }
      finished.push(error.execute);
      context.err(`comfy-exec: ${label}${describeFailure(error).lines.join('\n')}`);
      code = EXIT.executeFailed;
    }
  }
  if (options.json) context.out(exactJsonText(repeat === 1 ? finished[0] : finished, undefined, 2));
  return interrupted.value && code === EXIT.success ? EXIT.executeFailed : code;
}

export interface RunFlags {
  input: string[];
  set: string[];
  endpoint?: string;
  out: string;
  wait: boolean;
  json: boolean;
  webhook?: string;
  seed?: string;
  repeat: string;
  promptId?: string;
  template?: string;
  param: string[];
}

/** A template's values are its parameters: the flags that edit a workflow file have nothing to act on. */
function refuseWithTemplate(options: RunFlags) {
  const refused = [
    [options.input.length > 0, '--input', 'give a file parameter its file: --param image=cat.png'],
    [options.set.length > 0, '--set', 'set its parameters: --param NAME=VALUE'],
    [options.seed !== undefined, '--seed', 'set its seed parameter: --param seed=N'],
    [options.repeat !== '1', '--repeat', 'run the command again'],
  ] as const;
  for (const [given, flag, instead] of refused)
    if (given) throw new UsageError(`${flag} does not go with --template: ${instead}`);
}

export const collect = (value: string, previous: string[]) => [...previous, value];

export function registerRun(program: Command, context: Context) {
  program
    .command('run')
    .description(
      'run a workflow (API prompt, UI workflow, or a PNG/WEBP/MP4 ComfyUI saved), or a saved template, and download its outputs',
    )
    .argument('[workflow]', 'the workflow file (leave it out with --template)')
    .option('-t, --template <name>', 'run a saved template instead (comfy-exec templates show NAME)')
    .option(
      '--param <name=value>',
      "a template parameter's value, e.g. prompt='a red fox', seed=7, image=cat.png (repeatable)",
      collect,
      [],
    )
    .option(
      '-i, --input <name=file>',
      'an input file: by the file name the prompt uses, NODE.INPUT, or an input name (repeatable)',
      collect,
      [],
    )
    .option(
      '-s, --set <node.input=value>',
      'change an input value, e.g. 3.seed=42 or KSampler.steps=20 (repeatable)',
      collect,
      [],
    )
    .option(
      '--seed <random|n>',
      'set every seed and noise_seed input (of KSampler, RandomNoise, …) to a new random value, or to n',
    )
    .option('-n, --repeat <n>', 'run it n times, each with new random seeds; outputs side by side', '1')
    .option('-e, --endpoint <name>', "the endpoint to run on (default: the deployment's first)")
    .option(
      '-o, --out <dir>',
      'where to download the outputs (an existing file is never replaced)',
      './outputs',
    )
    .option('--prompt-id <uuid>', "the execute's id (default: a new UUID)")
    .option('--webhook <url>', 'POST the execute to this URL when it ends (signed; see the README)')
    .option('--no-wait', 'print the prompt id once created, do not follow (then: comfy-exec download ID)')
    .option('--json', 'print the execute record as JSON instead of the file paths (an array with --repeat)')
    .action(async (workflow: string | undefined, flags: RunFlags) =>
      context.exit(await run(context, workflow, flags)),
    );
}
