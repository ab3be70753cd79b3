import type { Command } from 'commander';
import type { Usage } from '../../src/index';
import type { Context } from '../context';
import { UsageError } from '../exit-codes';

interface UsageFlags {
  from?: string;
  to?: string;
  endpoint?: string;
  key?: string;
  json?: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const megabytes = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);
const cost = (value: number | null, currency: string) =>
  value === null ? '—' : `${value.toFixed(4)} ${currency}`;

/** One line a row (or the totals): what it ran, how long, what it stored, what it may cost. */
function line(
  label: string,
  row: Usage['totals'] & { estimated_cost: number | null },
  currency: string,
): string {
  return [
    label,
    `${row.executes} execute${row.executes === 1 ? '' : 's'} (${row.succeeded} ok, ${row.failed} failed, ${row.cancelled} cancelled)`,
    `GPU ${seconds(row.gpu_ms)} s`,
    `queued ${seconds(row.queue_ms)} s`,
    `${megabytes(row.output_bytes)} MB out`,
    cost(row.estimated_cost, currency),
  ].join('  ');
}

/** `comfy-exec usage`: GET /usage as a table per day and endpoint, with totals. */
export function registerUsage(program: Command, context: Context) {
  program
    .command('usage')
    .description(
      'GPU time, queue time, outcomes and output bytes per UTC day and endpoint, with an estimated cost',
    )
    .option('--from <day>', 'first day, YYYY-MM-DD (default: the first of this month, UTC)')
    .option('--to <day>', 'last day, inclusive (default: today)')
    .option('-e, --endpoint <name>', 'only this endpoint')
    .option('-k, --key <id>', "another API key's id, or '*' for every key (operator keys only)")
    .option('--json', 'print the answer as JSON')
    .action(async (flags: UsageFlags) => {
      for (const [name, value] of [
        ['--from', flags.from],
        ['--to', flags.to],
      ] as const)
        if (value !== undefined && !DAY.test(value))
          throw new UsageError(`${name} must be YYYY-MM-DD, not '${value}'`);
      const usage = await context.client().usage({
        ...(flags.from ? { from: flags.from } : {}),
        ...(flags.to ? { to: flags.to } : {}),
        ...(flags.endpoint ? { endpoint_name: flags.endpoint } : {}),
        ...(flags.key ? { key: flags.key } : {}),
      });
      if (flags.json) return context.out(JSON.stringify(usage, null, 2));
      context.out(
        `usage of ${usage.key === '*' ? 'every key' : `key ${usage.key}`}, ${usage.from} to ${usage.to} (UTC)`,
      );
      if (usage.rows.length === 0) context.out('no executes ended in these days');
      for (const row of usage.rows) {
        const who = usage.key === '*' ? `  ${row.key}` : '';
        context.out(line(`${row.day}  ${row.endpoint_name}${who}`, row, usage.currency));
      }
      context.out(line('total', usage.totals, usage.currency));
      if (usage.totals.estimated_cost === null)
        context.out(
          "—: no price for that instance type (the deployment's pricePerHour; npm start: PRICE_PER_HOUR)",
        );
    });
}
