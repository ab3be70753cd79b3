import type { Command } from 'commander';
import { type ExecuteStatus, FINAL_STATUSES } from '../../src/index';
import type { Context } from '../context';
import { EXIT, UsageError } from '../exit-codes';

const STATUSES: ExecuteStatus[] = ['created', 'running', ...FINAL_STATUSES];

function limitOf(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit ${text}: expected a whole number from 1`);
  return limit;
}

/** get, cancel, logs, list: one execute or many, as a line each or as JSON. */
export function registerExecutes(program: Command, context: Context) {
  program
    .command('get')
    .description('show one execute')
    .argument('<prompt_id>')
    .option('--json', 'print the whole record as JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const execute = await context.client().get(id);
      if (flags.json) context.out(JSON.stringify(execute, null, 2));
      else {
        context.out(
          `${execute.prompt_id}  ${execute.status}  ${execute.endpoint_name}  created ${execute.create_time}`,
        );
        if (execute.message) context.out(execute.message);
        if (execute.progress)
          context.out(
            `progress: ${Math.round(execute.progress.percent)}% node ${execute.progress.node ?? '-'}`,
          );
      }
      context.exit(
        execute.status === 'failed' || execute.status === 'cancelled' ? EXIT.executeFailed : EXIT.success,
      );
    });

  program
    .command('cancel')
    .description('cancel an execute (a queued one never runs, a running one is interrupted)')
    .argument('<prompt_id>')
    .action(async (id: string) => {
      const answer = await context.client().cancel(id);
      context.out(`${answer.prompt_id}  ${answer.status}`);
    });

  program
    .command('logs')
    .description("the endpoint's log lines for an execute")
    .argument('<prompt_id>')
    .action(async (id: string) => {
      for (const line of await context.client().logs(id)) context.out(`${line.timestamp}  ${line.message}`);
    });

  program
    .command('list')
    .description('your executes, newest first')
    .option('--status <status>', `only those in this status (${STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print them as JSON lines')
    .action(async (flags: { status?: string; limit: string; json?: boolean }) => {
      if (flags.status && !STATUSES.includes(flags.status as ExecuteStatus))
        throw new UsageError(`--status ${flags.status}: expected one of ${STATUSES.join(', ')}`);
      const limit = limitOf(flags.limit);
      let shown = 0;
      for await (const execute of context.client().listAll({
        limit: Math.min(limit, 100),
        ...(flags.status ? { status: flags.status as ExecuteStatus } : {}),
      })) {
        context.out(
          flags.json
            ? JSON.stringify(execute)
            : `${execute.prompt_id}  ${execute.status.padEnd(9)}  ${execute.create_time}  ${execute.endpoint_name}`,
        );
        if (++shown >= limit) break;
      }
    });
}
