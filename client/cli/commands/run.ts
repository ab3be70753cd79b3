import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import {
  type ApiPrompt,
  type ComfyExecClient,
  type Execute,
  ExecuteFailedError,
  parseSetValue,
} from '../../src/index';
import { downloadOutputs, fileFromPath } from '../../src/node/index';
import type { Context } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import { type ProgressView, progressView } from '../progress-view';

const REMOTE_SOURCE = /^(https:\/\/|http:\/\/|s3:\/\/|data:)/;

/** `KEY=VALUE` pairs of a repeated option. */
function pairs(values: string[], option: string): [string, string][] {
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

/**
 * Ctrl-C while following: on a terminal, ask whether to cancel the execute (no: keep following);
 * without one nobody can answer, so cancel it: a killed script must not leave a GPU busy.
 */
function onInterrupt(
  context: Context,
  /** Takes the progress bar off the screen before the question. */
  stopView: () => void,
  execute: () => Execute | undefined,
  stopFollowing: () => void,
) {
  let asking = false;
  const handler = async () => {
    const current = execute();
    if (!current || asking) {
      if (asking) process.exit(130);
      stopFollowing();
      return;
    }
    let cancel = true;
    if (process.stdin.isTTY) {
      asking = true;
      stopView();
      const question = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await question.question(`\nCancel execute ${current.prompt_id}? [y/N] `);
      question.close();
      asking = false;
      cancel = /^y(es)?$/i.test(answer.trim());
    }
    if (!cancel) {
      context.err(`still following ${current.prompt_id}; Ctrl-C again to be asked again`);
      return;
    }
    context.err(`cancelling ${current.prompt_id}…`);
    // A failed cancel is said, not thrown from a signal handler; following goes on either way.
    await context
      .client()
      .cancel(current.prompt_id)
      .catch((error: Error) => context.err(`could not cancel ${current.prompt_id}: ${error.message}`));
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

async function run(context: Context, workflowPath: string, options: RunFlags) {
  const client: ComfyExecClient = context.client();
  const inputs: Record<string, File | string> = {};
  for (const [key, value] of pairs(options.input, '--input'))
    inputs[key] = REMOTE_SOURCE.test(value)
      ? value
      : await fileFromPath(value).catch(() => {
          throw new UsageError(`--input ${key}=${value}: no such file`);
        });
  const set = Object.fromEntries(
    pairs(options.set, '--set').map(([key, value]) => [key, parseSetValue(value)]),
  );
  const source = await readWorkflow(workflowPath);
  const following = new AbortController();
  let created: Execute | undefined;
  let view: ProgressView = { update() {}, stop() {} };
  const stopInterrupts = onInterrupt(
    context,
    () => view.stop(),
    () => created,
    () => following.abort(new UsageError('interrupted')),
  );
  try {
    const finished = await client
      .run(source, {
        inputs,
        set,
        ...(options.endpoint ? { endpointName: options.endpoint } : {}),
        signal: following.signal,
        onUpload: (input) => context.info(`uploaded ${input.filename} as ${input.name}`),
        onCreated: (execute) => {
          created = execute;
          context.info(`execute ${execute.prompt_id} created on ${execute.endpoint_name}`);
          if (options.wait)
            view = progressView(process.stderr, execute.prompt_params.prompt as ApiPrompt | undefined);
          else following.abort(new NoWait(execute));
        },
        onProgress: ({ execute, progress }) => view.update(execute, progress),
      })
      .catch((error: unknown) => {
        if (error instanceof NoWait) return error.execute;
        throw error;
      });
    view.stop();
    if (!options.wait) {
      context.out(options.json ? JSON.stringify(finished, null, 2) : finished.prompt_id);
      return EXIT.success;
    }
    const paths = await downloadOutputs(client, finished, options.out);
    if (options.json) context.out(JSON.stringify(finished, null, 2));
    else for (const path of paths) context.out(path);
    context.info(
      `success in ${finished.timings?.total_ms ?? '?'} ms on the endpoint; ${paths.length} file(s) in ${options.out}`,
    );
    return EXIT.success;
  } catch (error) {
    view.stop();
    if (error instanceof ExecuteFailedError && options.json)
      context.out(JSON.stringify(error.execute, null, 2));
    throw error;
  } finally {
    stopInterrupts();
  }
}

/** Stops `run` after the create, for --no-wait. */
class NoWait extends Error {
  constructor(readonly execute: Execute) {
    super('not waiting');
  }
}

interface RunFlags {
  input: string[];
  set: string[];
  endpoint?: string;
  out: string;
  wait: boolean;
  json: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerRun(program: Command, context: Context) {
  program
    .command('run')
    .description(
      'run a workflow (API prompt, UI workflow, or a PNG/WEBP/MP4 ComfyUI saved) and download its outputs',
    )
    .argument('<workflow>', 'the workflow file')
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
    .option('-e, --endpoint <name>', "the endpoint to run on (default: the deployment's first)")
    .option('-o, --out <dir>', 'where to download the outputs', './outputs')
    .option('--no-wait', 'print the prompt id once created, do not follow')
    .option('--json', 'print the execute record as JSON instead of the file paths')
    .action(async (workflow: string, flags: RunFlags) => context.exit(await run(context, workflow, flags)));
}
