import type { Command } from 'commander';
import {
  ApiError,
  type ApiPrompt,
  type ExecuteStatus,
  exactJsonText,
  FINAL_STATUSES,
  formatLogLine,
} from '../../src/index';
import type { Context } from '../context';
import { executeDetails, textLines } from '../execute-details';
import { EXIT, UsageError } from '../exit-codes';
import { progressView } from '../progress-view';
import { saveOutputs } from '../save-outputs';

const STATUSES: ExecuteStatus[] = ['created', 'running', ...FINAL_STATUSES];
/** DeleteExecutes takes at most 100 ids a call. */
const MAX_DELETE = 100;

function limitOf(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit ${text}: expected a whole number from 1`);
  return limit;
}

/** `list`'s columns: a prompt id is 36 characters, a status at most 9, a create time 24. */
const row = (id: string, status: string, created: string, endpoint: string) =>
  `${id.padEnd(36)}  ${status.padEnd(9)}  ${created.padEnd(24)}  ${endpoint}`;

/** get, download, cancel, delete, logs, list: one execute or many, as lines or as JSON. */
export function registerExecutes(program: Command, context: Context) {
  program
    .command('get')
    .description('show one execute: status, times, timings, webhook, outputs (URLs) and texts')
    .argument('<prompt_id>')
    .option('--json', 'print the whole record as JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const execute = await context.client().get(id);
      if (flags.json) context.out(exactJsonText(execute, undefined, 2));
      else for (const line of executeDetails(execute)) context.out(line);
      context.exit(
        execute.status === 'failed' || execute.status === 'cancelled' ? EXIT.executeFailed : EXIT.success,
      );
    });

  program
    .command('download')
    .description("download an execute's outputs (following it to its end first if it is still going)")
    .argument('<prompt_id>')
    .option(
      '-o, --out <dir>',
      'where to download the outputs (an existing file is never replaced)',
      './outputs',
    )
    .action(async (id: string, flags: { out: string }) => {
      const client = context.client();
      let execute = await client.get(id);
      if (!FINAL_STATUSES.includes(execute.status)) {
        context.info(`execute ${id} is ${execute.status}: following it to its end`);
        const view = progressView(process.stderr, execute.prompt_params.prompt as ApiPrompt | undefined);
        try {
          execute = await client.wait(id, {
            onProgress: (update) => view.update(update.execute, update.progress),
          });
        } finally {
          view.stop();
        }
      }
      // A failed execute may still have made some files: they are downloaded, and the exit says it failed.
      const paths = await saveOutputs(client, execute, flags.out);
      for (const line of [...paths, ...textLines(execute)]) context.out(line);
      const why = execute.status !== 'success' && execute.message ? ` (${execute.message})` : '';
      context.info(`${execute.status}${why}: ${paths.length} file(s) in ${flags.out}`);
      context.exit(execute.status === 'success' ? EXIT.success : EXIT.executeFailed);
    });

  program
    .command('cancel')
    .description('cancel an execute (a queued one never runs, a running one is interrupted)')
    .argument('<prompt_id>')
    .action(async (id: string) => {
      const answer = await context.client().cancel(id);
      // Cancelling is asked, not done: a running execute ends `cancelled` once ComfyUI stops.
      const state = ['success', 'failed', 'cancelled'].includes(answer.status)
        ? `already ${answer.status}`
        : `cancel requested (${answer.status} now; \`comfy-exec get ${answer.prompt_id}\` to see it end)`;
      context.out(`${answer.prompt_id}  ${state}`);
    });

  program
    .command('delete')
    .description('delete executes: their records and their files')
    .argument('<prompt_id...>')
    .action(async (ids: string[]) => {
      const client = context.client();
      // The API answers 204 whatever it deleted (as ESD does): look first, to say which were not there.
      const missing: string[] = [];
      for (const id of ids)
        await client.get(id).catch((error: unknown) => {
          if (!(error instanceof ApiError && error.status === 404)) throw error;
          missing.push(id);
        });
      const found = ids.filter((id) => !missing.includes(id));
      for (let start = 0; start < found.length; start += MAX_DELETE) {
        const batch = found.slice(start, start + MAX_DELETE);
        await client.delete(batch);
        for (const id of batch) context.out(`${id}  deleted`);
      }
      for (const id of missing) context.err(`comfy-exec: no execute ${id} (not yours, or already deleted)`);
      if (missing.length > 0) context.exit(EXIT.api);
    });

  program
    .command('logs')
    .description("the endpoint's log lines for an execute, ComfyUI's own among them")
    .argument('<prompt_id>')
    .option('--json', 'print each line as GetExecuteLogs answers it, as JSON lines')
    .action(async (id: string, flags: { json?: boolean }) => {
      for (const line of await context.client().logs(id))
        context.out(flags.json ? JSON.stringify(line) : formatLogLine(line));
    });

  program
    .command('list')
    .description('your executes, newest first')
    .option('--status <status>', `only those in this status (${STATUSES.join(', ')})`)
    .option('--template <name>', 'only the runs of this template (run --template)')
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print them as JSON lines')
    .action(async (flags: { status?: string; template?: string; limit: string; json?: boolean }) => {
      if (flags.status && !STATUSES.includes(flags.status as ExecuteStatus))
        throw new UsageError(`--status ${flags.status}: expected one of ${STATUSES.join(', ')}`);
      const limit = limitOf(flags.limit);
      let shown = 0;
      for await (const execute of context.client().listAll({
        limit: Math.min(limit, 100),
        ...(flags.status ? { status: flags.status as ExecuteStatus } : {}),
        ...(flags.template ? { template: flags.template } : {}),
      })) {
        if (shown === 0 && !flags.json) context.out(row('PROMPT ID', 'STATUS', 'CREATED', 'ENDPOINT'));
        context.out(
          flags.json
            ? exactJsonText(execute)
            : row(execute.prompt_id, execute.status, execute.create_time, execute.endpoint_name),
        );
        if (++shown >= limit) break;
      }
      if (shown === 0 && !flags.json)
        context.out(
          `no ${flags.status ? `${flags.status} ` : ''}executes${flags.template ? ` of template ${flags.template}` : ''}`,
        );
    });
}
