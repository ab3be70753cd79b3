import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { UsageDelta } from '../domain/usage';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** The CloudWatch namespace of every comfy-exec metric (the dashboard and alarms read it). */
export const METRICS_NAMESPACE = 'ComfyExec';

/** The metric of each way an execute ends. */
export const ENDED_METRIC = {
  success: 'ExecutesSucceeded',
  failed: 'ExecutesFailed',
  cancelled: 'ExecutesCancelled',
} as const;

let metrics: Metrics | undefined;

/**
 * One Metrics instance per Lambda container, made on first use (most requests publish none).
 * Each event is one EMF line to stdout, which CloudWatch turns into metrics: no extra call.
 */
function emf(): Metrics {
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'comfy-exec' });
  return metrics;
}

/** Tests: a new instance that reads the environment again (POWERTOOLS_METRICS_DISABLED). */
export function resetMetrics(): void {
  metrics = undefined;
}

/**
 * Adds and publishes in one synchronous step: dimensions and values of one event never mix with
 * another's (the local stack runs many handlers in one process).
 */
function publish(dimensions: Record<string, string>, values: [string, Unit, number][]) {
  const m = emf();
  m.addDimensions(dimensions);
  for (const [name, unit, value] of values) m.addMetric(name, unit, value);
  m.publishStoredMetrics();
}

/** An execute accepted (created and queued), per endpoint and, for a run by name, per template. */
export function executeCreated(endpointName: string, template?: string): void {
  publish({ endpoint_name: endpointName }, [['ExecutesCreated', MetricUnit.Count, 1]]);
  if (template)
    publish({ endpoint_name: endpointName, template }, [['ExecutesCreated', MetricUnit.Count, 1]]);
}

/**
 * An execute's end, published where its usage is counted, so once per execute: its outcome, its
 * queue and run time, our overhead around ComfyUI's own run, and the bytes it stored.
 */
export function executeEnded(usage: UsageDelta): void {
  const values: [string, Unit, number][] = [
    [ENDED_METRIC[usage.status], MetricUnit.Count, 1],
    ['QueueTime', MetricUnit.Milliseconds, usage.queue_ms],
    ['RunTime', MetricUnit.Milliseconds, usage.gpu_ms],
    ['OutputBytes', MetricUnit.Bytes, usage.output_bytes],
  ];
  if (usage.comfyui_ms !== undefined && usage.gpu_ms > 0)
    values.push(['Overhead', MetricUnit.Milliseconds, Math.max(0, usage.gpu_ms - usage.comfyui_ms)]);
  publish({ endpoint_name: usage.endpoint_name }, values);
  if (usage.template)
    publish({ endpoint_name: usage.endpoint_name, template: usage.template }, values.slice(0, 3));
}

/** One webhook delivery attempt, by what came of it. */
export function webhookAttempted(outcome: 'delivered' | 'retry' | 'gave-up' | 'skipped'): void {
  const name = {
    delivered: 'WebhooksDelivered',
    retry: 'WebhookRetries',
    'gave-up': 'WebhooksGivenUp',
    skipped: 'WebhooksSkipped',
  }[outcome];
  publish({}, [[name, MetricUnit.Count, 1]]);
}

/** What one batch of the events function told ComfyUI's websockets. */
export function socketMessages(sent: number, gone: number): void {
  if (sent + gone === 0) return;
  publish({}, [
    ['SocketMessagesSent', MetricUnit.Count, sent],
    ['SocketConnectionsGone', MetricUnit.Count, gone],
  ]);
}
