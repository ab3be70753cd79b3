import type { Command } from 'commander';
import { ComfyExecClient } from '../../src/index';
import type { Context } from '../context';
import {
  apiCheck,
  dryRunCheck,
  endpointsCheck,
  openApiCheck,
  webhookSecretCheck,
} from '../doctor/api-checks';
import { explainFor } from '../doctor/explain';
import { socketFollowCheck, webhookFollowCheck } from '../doctor/follow-checks';
import { inputsCheck } from '../doctor/inputs-check';
import { runCheck } from '../doctor/run-check';
import { isLocalApi } from '../doctor/run-witnesses';
import { type CheckResult, exitCodeOf, formatResult, jsonReport, runChecks } from '../doctor/runner';
import type { DoctorState } from '../doctor/state';
import { consoleCheck, websocketCheck } from '../doctor/surface-checks';
import { browserTokenCheck } from '../doctor/token-check';
import { EXIT, UsageError } from '../exit-codes';

interface DoctorFlags {
  run?: boolean;
  webhookUrl?: string;
  endpoint: string[];
  timeout?: string;
  json?: boolean;
}

function timeoutOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`--timeout ${text}: expected seconds, more than 0`);
  return value;
}

/** Runs each cleanup once, newest first (an execute before the socket that watched it). */
async function undoAll(state: DoctorState) {
  const undo = (state.cleanup ?? []).splice(0).reverse();
  for (const step of undo) await step().catch(() => undefined);
}

async function doctor(context: Context, flags: DoctorFlags): Promise<number> {
  const timeoutSeconds = timeoutOf(flags.timeout);
  const { options } = context.client();
  // A diagnosis should come quickly: fewer, shorter retries than a run's.
  const client = new ComfyExecClient({
    ...options,
    timeoutMs: 15_000,
    retry: { ...options.retry, retries: 2, maxDelayMs: 2_000 },
  });
  if (flags.webhookUrl !== undefined && !flags.run) throw new UsageError('--webhook-url goes with --run');
  const state: DoctorState = {
    client,
    apiUrl: options.apiUrl,
    apiKey: options.apiKey,
    info: context.info,
    webhookUrl: flags.webhookUrl,
  };
  // A webhook needs a receiver: ours on a local stack, the operator's (--webhook-url) when deployed.
  const webhooks = flags.webhookUrl !== undefined || isLocalApi(options.apiUrl);
  const report = {
    explain: explainFor(options.apiUrl),
    onResult: (result: CheckResult) => {
      if (!flags.json) context.out(formatResult(result));
    },
  };
  if (!flags.json) context.info(`comfy-exec doctor: ${options.apiUrl}`);

  // Ctrl-C (or a stop) mid-check: undo what the checks made so far, then end as interrupted.
  const onSignal = (signal: NodeJS.Signals) => {
    context.info(`\ninterrupted (${signal}): removing what doctor made…`);
    void undoAll(state).then(() => process.exit(EXIT.interrupted));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const first = await runChecks([apiCheck(state)], report);
  // The endpoint-specific checks target --endpoint, else the deployment's default (known once /about answered).
  const targets =
    flags.endpoint.length > 0 ? flags.endpoint : [state.about?.endpoints_default ?? 'the default endpoint'];
  const rest = await runChecks(
    [
      openApiCheck(state),
      endpointsCheck(state, flags.endpoint.length > 0 ? flags.endpoint : undefined),
      ...targets.map((endpoint) => dryRunCheck(state, endpoint)),
      inputsCheck(state),
      webhookSecretCheck(state),
      websocketCheck(state),
      browserTokenCheck(state),
      consoleCheck(state),
      ...(flags.run
        ? targets.flatMap((endpoint) => [
            runCheck(state, endpoint, { timeoutSeconds }),
            socketFollowCheck(state, endpoint),
            ...(webhooks ? [webhookFollowCheck(state, endpoint)] : []),
          ])
        : []),
    ],
    { ...report, previous: first },
  ).finally(async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await undoAll(state);
  });
  if (flags.run && !webhooks)
    context.info('  webhook delivery not checked: give --webhook-url https://… (a receiver you can watch)');
  const results = [...first, ...rest];
  if (flags.json) context.out(JSON.stringify(jsonReport(options.apiUrl, results), null, 2));
  else {
    const failed = results.filter((result) => !result.ok && !result.skipped).length;
    const skipped = results.filter((result) => result.skipped).length;
    context.info(
      failed + skipped === 0
        ? `all ${results.length} checks passed`
        : `${failed} failed, ${skipped} skipped, ${results.length - failed - skipped} passed`,
    );
  }
  return exitCodeOf(results);
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerDoctor(program: Command, context: Context) {
  program
    .command('doctor')
    .description(
      'check a deployment end to end and say what is broken (exit 0 when all is well, 1 otherwise)',
    )
    .option('--run', 'also run a real execute (EmptyImage → SaveImage, no model weights) and check its PNG')
    .option(
      '-e, --endpoint <name>',
      "the endpoint to check and run on (repeatable; default: the deployment's default)",
      collect,
      [],
    )
    .option(
      '--timeout <seconds>',
      'how long --run follows its execute (default: 120, or 900 when the endpoint is scaled to zero)',
    )
    .option(
      '--webhook-url <url>',
      "with --run: give the execute a webhook to this https receiver and check it is delivered (a local stack's doctor receives its own)",
    )
    .option('--json', 'print one JSON report: {ok, api_url, checks: [{name, ok, ms, detail, hint, …}]}')
    .action(async (flags: DoctorFlags) => context.exit(await doctor(context, flags)));
}
