/**
 * The doctor's check runner: runs checks in order, times each, skips those whose prerequisites
 * did not pass, and says the outcome of each in one line (or as JSON). No network of its own, so
 * the reporting is testable without a deployment.
 */

/** A check that found something broken: what it saw, and what the operator should do. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
  constructor(
    detail: string,
    readonly hint = '',
  ) {
    super(detail);
  }
}

export interface Check {
  /** Stable id, e.g. `api` or `run` (with `endpoint`, unique per endpoint). */
  name: string;
  /** What it checks, for people. */
  title: string;
  /** The endpoint an endpoint-specific check targets. */
  endpoint?: string;
  /** Keys (`name`, or `name:endpoint`) of checks that must have passed first. */
  needs?: string[];
  /** Resolves with what it saw when all is well; throws CheckFailed (or anything) when not. */
  run(): Promise<string>;
}

export interface CheckResult {
  name: string;
  title: string;
  endpoint?: string;
  ok: boolean;
  /** Not run: a check it needs did not pass (detail says which). */
  skipped: boolean;
  ms: number;
  detail: string;
  hint: string;
}

/** What to say about an error that is not a CheckFailed (an API error, a network failure). */
export type Explain = (error: unknown) => { detail: string; hint: string };

export const keyOf = (check: Pick<Check, 'name' | 'endpoint'>) =>
  check.endpoint ? `${check.name}:${check.endpoint}` : check.name;

const defaultExplain: Explain = (error) => ({
  detail: error instanceof Error ? error.message : String(error),
  hint: '',
});

/**
 * Runs the checks one after another (later ones use what earlier ones found), telling `onResult`
 * of each as it ends; `previous` are results of an earlier batch that `needs` may name.
 */
export async function runChecks(
  checks: readonly Check[],
  options: {
    previous?: readonly CheckResult[];
    explain?: Explain;
    onResult?: (result: CheckResult) => void;
    now?: () => number;
  } = {},
): Promise<CheckResult[]> {
  const now = options.now ?? (() => performance.now());
  const explain = options.explain ?? defaultExplain;
  const done = new Map((options.previous ?? []).map((result) => [keyOf(result), result]));
  const results: CheckResult[] = [];
  for (const check of checks) {
    const base = {
      name: check.name,
      title: check.title,
      ...(check.endpoint ? { endpoint: check.endpoint } : {}),
    };
    const blocker = (check.needs ?? []).find((key) => !done.get(key)?.ok);
    let result: CheckResult;
    if (blocker !== undefined) {
      const why = done.get(blocker);
      result = {
        ...base,
        ok: false,
        skipped: true,
        ms: 0,
        detail: why
          ? `skipped: it needs "${why.title}", which ${why.skipped ? 'was skipped' : 'failed'}`
          : `skipped: it needs "${blocker}", which did not run`,
        hint: why ? `fix "${why.title}" first` : '',
      };
    } else {
      const started = now();
      try {
        const detail = await check.run();
        result = { ...base, ok: true, skipped: false, ms: Math.round(now() - started), detail, hint: '' };
      } catch (error) {
        const { detail, hint } =
          error instanceof CheckFailed ? { detail: error.message, hint: error.hint } : explain(error);
        result = { ...base, ok: false, skipped: false, ms: Math.round(now() - started), detail, hint };
      }
    }
    done.set(keyOf(check), result);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

/** One line per check: ✓/✗ (or - when skipped), what, how long, what was seen, what to do. */
export function formatResult(result: CheckResult): string {
  const what = result.endpoint ? `${result.title} (${result.endpoint})` : result.title;
  if (result.skipped) return `- ${what}: ${result.detail}`;
  const line = `${result.ok ? '✓' : '✗'} ${what} (${result.ms} ms): ${result.detail}`;
  // One line whatever the API said: newlines in a detail would break it (and `grep`).
  const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');
  return oneLine(result.hint ? `${line} → ${result.hint}` : line);
}

/** 0 when every check passed, 1 otherwise (a skipped check did not pass either). */
export function exitCodeOf(results: readonly CheckResult[]): 0 | 1 {
  return results.length > 0 && results.every((result) => result.ok) ? 0 : 1;
}

/** The machine-readable report (`--json`). */
export function jsonReport(apiUrl: string, results: readonly CheckResult[]) {
  return { ok: exitCodeOf(results) === 0, api_url: apiUrl, checks: results };
}
