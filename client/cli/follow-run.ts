import type { ApiPrompt, Execute, Progress } from '../src/index';
import type { Context } from './context';
import { UsageError } from './exit-codes';
import { onInterrupt } from './interrupt';
import { type ProgressView, progressView } from './progress-view';
import { saveOutputs } from './save-outputs';

/** What a run command's start is handed: where to say the execute exists, and how it goes. */
export interface StartHooks {
  signal: AbortSignal;
  onCreated(execute: Execute): void;
  onProgress(update: { execute: Execute; progress: Progress | null }): void;
}

export interface FollowFlags {
  out: string;
  wait: boolean;
}

/** Stops following after the create, for --no-wait. */
class NoWait extends Error {
  constructor(readonly execute: Execute) {
    super('not waiting');
  }
}

/**
 * One execute as `run` makes it, whatever creates it (a workflow file, a template): created by
 * `start`, followed with a progress view and Ctrl-C handling (unless --no-wait), outputs
 * downloaded. Answers it as it ended, and the files written.
 */
export async function followRun(
  context: Context,
  options: FollowFlags,
  label: string,
  interrupted: { value: boolean },
  start: (hooks: StartHooks) => Promise<Execute>,
): Promise<{ execute: Execute; paths: string[] }> {
  const client = context.client();
  const following = new AbortController();
  let created: Execute | undefined;
  let view: ProgressView = { update() {}, stop() {} };
  const stopInterrupts = onInterrupt(
    context,
    () => view.stop(),
    () => created,
    () => following.abort(new UsageError('interrupted')),
    () => {
      interrupted.value = true;
    },
  );
  try {
    const finished = await start({
      signal: following.signal,
      onCreated: (execute) => {
        created = execute;
        context.info(`${label}execute ${execute.prompt_id} created on ${execute.endpoint_name}`);
        if (options.wait)
          view = progressView(process.stderr, execute.prompt_params.prompt as ApiPrompt | undefined);
        else following.abort(new NoWait(execute));
      },
      onProgress: ({ execute, progress }) => view.update(execute, progress),
    }).catch((error: unknown) => {
      if (error instanceof NoWait) return error.execute;
      throw error;
    });
    view.stop();
    if (!options.wait) return { execute: finished, paths: [] };
    const paths = await saveOutputs(client, finished, options.out);
    context.info(
      `${label}success in ${finished.timings?.total_ms ?? '?'} ms on the endpoint; ${paths.length} file(s) in ${options.out}`,
    );
    return { execute: finished, paths };
  } catch (error) {
    view.stop();
    throw error;
  } finally {
    stopInterrupts();
  }
}
