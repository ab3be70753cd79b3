import { createInterface } from 'node:readline/promises';
import type { Execute } from '../src/index';
import type { Context } from './context';

/**
 * Ctrl-C while following: on a terminal, ask whether to cancel the execute (no: keep following);
 * without one nobody can answer, so cancel it: a killed script must not leave a GPU busy.
 * `onCancel` is told when the user chose to cancel (a `--repeat` then stops queueing more).
 */
export function onInterrupt(
  context: Context,
  /** Takes the progress bar off the screen before the question. */
  stopView: () => void,
  execute: () => Execute | undefined,
  stopFollowing: () => void,
  onCancel: () => void = () => {},
) {
  let asking = false;
  const handler = async () => {
    const current = execute();
    if (!current || asking) {
      if (asking) process.exit(130);
      onCancel();
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
    onCancel();
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
