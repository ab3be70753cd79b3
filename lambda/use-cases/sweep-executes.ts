import type { ExecuteRecord } from '../domain/execute-record';
import { isTerminal, statusesThatMayBecome } from '../domain/execute-status';
import type { Clock, ExecuteStore, PayloadStore } from '../domain/ports';
import { withUsage } from '../domain/usage';
import { completeParkedFailure, isParkedFailure, rawText, recordAsyncResult } from './record-async-result';

export interface SweepDeps {
  store: ExecuteStore;
  payloads: PayloadStore;
  clock: Clock;
  config: {
    /** Executes younger than this are left to the normal notification path. */
    graceSeconds: number;
    /** Most executes looked at per run, the nearest deadline first. */
    batchSize: number;
  };
}

export interface SweepReport {
  examined: number;
  /** Settled from a result object whose notification never arrived. */
  recovered: string[];
  /** Failed because SageMaker never answered by the deadline. */
  timedOut: string[];
  /** Final (the container completed them) but not yet in the usage table: added now. */
  counted: string[];
}

/** The output or failure object SageMaker wrote, when the notification about it was lost. */
async function recoverFromResultObject(record: ExecuteRecord, deps: SweepDeps): Promise<boolean> {
  const output = rawText(record.sagemaker_raw, 'OutputLocation');
  const failure = rawText(record.sagemaker_raw, 'FailureLocation');
  // Its notification arrived, but CreateExecute never finished it (it stopped after invoking).
  if (isParkedFailure(record))
    return (await completeParkedFailure(record, failure, deps)).kind === 'recorded';
  if (output && (await deps.payloads.getText(output)) !== undefined) {
    const outcome = await recordAsyncResult(
      { inferenceId: record.prompt_id, completed: true, outputLocation: output },
      deps,
    );
    return outcome.kind === 'recorded';
  }
  if (failure && (await deps.payloads.getText(failure)) !== undefined) {
    const reason =
      'SageMaker wrote a failure object but its notification never arrived (recovered by the sweeper)';
    const outcome = await recordAsyncResult(
      { inferenceId: record.prompt_id, completed: false, failureLocation: failure, failureReason: reason },
      deps,
    );
    return outcome.kind === 'recorded';
  }
  return false;
}

/**
 * The Sweeper: no execute stays `created` or `running` for ever. An execute whose result object
 * exists but whose notification was lost is settled from that object; one past its deadline
 * with no result fails with a timeout reason.
 */
export async function sweepExecutes(deps: SweepDeps): Promise<SweepReport> {
  const report: SweepReport = { examined: 0, recovered: [], timedOut: [], counted: [] };
  const now = deps.clock.now();
  for (const promptId of await deps.store.listPendingIds(deps.config.batchSize)) {
    const record = await deps.store.get(promptId);
    if (!record) continue;
    if (isTerminal(record.status)) {
      // Completed by the container, and no notification counted it (lost, or not come yet).
      if (!record.usage_counted && (await deps.store.countUsage(record))) report.counted.push(promptId);
      continue;
    }
    report.examined++;
    if (now.getTime() - Date.parse(record.create_time) < deps.config.graceSeconds * 1000) continue;
    if (await recoverFromResultObject(record, deps)) {
      report.recovered.push(promptId);
      continue;
    }
    if (now.getTime() / 1000 < record.deadline_at) continue;
    const reason = `timed out: SageMaker gave no result by the deadline ${new Date(record.deadline_at * 1000).toISOString()} (queue TTL + invocation timeout + margin)`;
    const updated = await deps.store.update(
      record,
      withUsage(record, {
        from: statusesThatMayBecome('failed'),
        set: {
          status: 'failed' as const,
          complete_time: now.toISOString(),
          message: reason,
          error: { type: 'timeout', message: reason },
        },
      }),
    );
    if (updated) report.timedOut.push(promptId);
  }
  return report;
}
