import { ForbiddenError, RequestValidationError } from '../domain/errors';
import type { Clock } from '../domain/ports';
import { type UsageRow, type UsageStore, usageDay } from '../domain/usage';

export interface GetUsageConfig {
  /** Keys that may read any key's usage, or every key's (`key=*`): context operatorKeys. */
  operatorKeys: ReadonlySet<string>;
  /** Price of an hour of each instance type (context pricePerHour); types not named are not priced. */
  pricePerHour: Readonly<Record<string, number>>;
  currency: string;
  /** Each endpoint's instance type. */
  instanceTypes: Readonly<Record<string, string>>;
}

export interface GetUsageDeps {
  usage: UsageStore;
  clock: Clock;
  config: GetUsageConfig;
}

export interface UsageQuery {
  /** First day, YYYY-MM-DD (UTC); default the first of this month. */
  from?: string;
  /** Last day, inclusive; default today. */
  to?: string;
  endpoint_name?: string;
  /** An API key id, or `*` for every key: an operator's only, besides the caller's own id. */
  key?: string;
}

export type UsageTotals = Omit<UsageRow, 'owner' | 'endpoint_name' | 'day'> & {
  gpu_seconds: number;
  /** Sum of the priced rows' estimates; null when a row with GPU time has no price. */
  estimated_cost: number | null;
};

export type UsageAnswerRow = Omit<UsageRow, 'owner'> & {
  /** The API key id (the records' `owner`). */
  key: string;
  gpu_seconds: number;
  instance_type: string | null;
  /** gpu_seconds ÷ 3600 × the instance type's pricePerHour; null without a price. */
  estimated_cost: number | null;
};

export interface UsageAnswer {
  from: string;
  to: string;
  key: string;
  endpoint_name: string | null;
  currency: string;
  rows: UsageAnswerRow[];
  totals: UsageTotals;
}

/** One Query reads a key's range; every key's costs a Query per day, so it is held shorter. */
export const MAX_DAYS = { ownKey: 366, everyKey: 92 } as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function checkedDay(name: string, value: string): string {
  if (
    !DAY.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
    usageDay(new Date(`${value}T00:00:00Z`).toISOString()) !== value
  )
    throw new RequestValidationError(`${name} must be a date YYYY-MM-DD (UTC), not '${value}'`);
  return value;
}

const roundCost = (cost: number) => Math.round(cost * 1e6) / 1e6;

/** GET /usage: the caller's usage per day and endpoint (an operator's: any key's, or every key's). */
export async function getUsage(query: UsageQuery, caller: string, deps: GetUsageDeps): Promise<UsageAnswer> {
  const today = usageDay(deps.clock.now().toISOString());
  const from = checkedDay('from', query.from ?? `${today.slice(0, 8)}01`);
  const to = checkedDay('to', query.to ?? today);
  if (from > to) throw new RequestValidationError(`from (${from}) is after to (${to})`);
  const key = query.key ?? caller;
  // API key values are 20 characters or more; ids are shorter (API Gateway's 10). Never echoed.
  if (key !== '*' && key.length >= 20)
    throw new RequestValidationError(
      `key takes an API key's id, not the key itself (this key's id is ${caller}, as the answer's key says)`,
    );
  if (key !== caller && !deps.config.operatorKeys.has(caller))
    throw new ForbiddenError(
      "this API key may read only its own usage; an operator key may read any key's (context operatorKeys; npm start: OPERATOR_KEYS)",
    );
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  const limit = key === '*' ? MAX_DAYS.everyKey : MAX_DAYS.ownKey;
  if (days > limit)
    throw new RequestValidationError(
      `from ${from} to ${to} is ${days} days; at most ${limit} for ${key === '*' ? 'every key' : 'one key'}`,
    );
  let rows: UsageRow[];
  if (key === '*') {
    const perDay = [];
    for (let t = Date.parse(from); t <= Date.parse(to); t += DAY_MS)
      perDay.push(deps.usage.ofDay(usageDay(new Date(t).toISOString())));
    rows = (await Promise.all(perDay)).flat();
  } else rows = await deps.usage.ofOwner(key, from, to);
  if (query.endpoint_name) rows = rows.filter((row) => row.endpoint_name === query.endpoint_name);
  rows.sort(
    (a, b) =>
      a.day.localeCompare(b.day) ||
      a.owner.localeCompare(b.owner) ||
      a.endpoint_name.localeCompare(b.endpoint_name),
  );
  const answered = rows.map(({ owner, ...row }): UsageAnswerRow => {
    const instanceType = deps.config.instanceTypes[row.endpoint_name] ?? null;
    const price = instanceType === null ? undefined : deps.config.pricePerHour[instanceType];
    return {
      ...row,
      key: owner,
      gpu_seconds: row.gpu_ms / 1000,
      instance_type: instanceType,
      estimated_cost: price === undefined ? null : roundCost((row.gpu_ms / 3_600_000) * price),
    };
  });
  return {
    from,
    to,
    key,
    endpoint_name: query.endpoint_name ?? null,
    currency: deps.config.currency,
    rows: answered,
    totals: totalsOf(answered),
  };
}

function totalsOf(rows: UsageAnswerRow[]): UsageTotals {
  const totals: UsageTotals = {
    executes: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    gpu_ms: 0,
    queue_ms: 0,
    output_bytes: 0,
    gpu_seconds: 0,
    estimated_cost: 0,
  };
  for (const row of rows) {
    for (const counter of [
      'executes',
      'succeeded',
      'failed',
      'cancelled',
      'gpu_ms',
      'queue_ms',
      'output_bytes',
    ] as const)
      totals[counter] += row[counter];
    if (row.estimated_cost === null) {
      if (row.gpu_ms > 0) totals.estimated_cost = null;
    } else if (totals.estimated_cost !== null) totals.estimated_cost += row.estimated_cost;
  }
  totals.gpu_seconds = totals.gpu_ms / 1000;
  if (totals.estimated_cost !== null) totals.estimated_cost = roundCost(totals.estimated_cost);
  return totals;
}
