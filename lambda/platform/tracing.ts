import { createHash } from 'node:crypto';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one place that knows how traces are made (Powertools Tracer on the X-Ray SDK today; the
 * move to OpenTelemetry, docs/architecture.md, replaces this file). Outside Lambda tracing is
 * off and every helper is a no-op.
 */
export const tracer = new Tracer({ serviceName: 'comfy-exec', captureHTTPsRequests: false });

/** An AWS SDK v3 client whose every call becomes a subsegment (latency, errors, throttles). */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}

/** Searchable annotations on the invocation's segment; undefined values are left out. */
export function annotate(values: Record<string, string | number | boolean | undefined | null>): void {
  if (!tracer.isTracingEnabled()) return;
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== null) tracer.putAnnotation(key, value);
}

/** An API key id as traces may show it: a digest, never the id itself. */
export function ownerDigest(owner: string): string {
  return createHash('sha256').update(owner).digest('hex').slice(0, 16);
}

/** A Lambda handler whose invocation runs in a `## name` subsegment (where annotations can go). */
export function traceHandler<E, C, R>(name: string, handler: (event: E, context?: C) => Promise<R>) {
  return (event: E, context?: C): Promise<R> => inSubsegment(`## ${name}`, () => handler(event, context));
}

/** Whether traces are being made (in Lambda, with active tracing): annotations worth computing. */
export const isTracing = (): boolean => tracer.isTracingEnabled();

/** Runs `work` as a subsegment of the invocation (the use case, apart from the handler around it). */
export function inSubsegment<T>(name: string, work: () => Promise<T>): Promise<T> {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!parent) {
    // Not async here: under the X-Ray SDK's async hook every promise has a price, per request.
    try {
      return work();
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return inNewSubsegment(parent, name, work);
}

async function inNewSubsegment<T>(
  parent: NonNullable<ReturnType<typeof tracer.getSegment>>,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  const subsegment = parent.addNewSubsegment(name);
  tracer.setSegment(subsegment);
  try {
    return await work();
  } catch (error) {
    subsegment.addError(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}
