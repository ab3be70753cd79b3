// zod/mini: OnAsyncResult and the Sweeper parse this and nothing else with zod.
import * as z from 'zod/mini';

/**
 * The JSON the endpoint container answers /invocations with; SageMaker stores it verbatim as the
 * output object (2xx) or failure object (non-2xx). Unknown keys are kept for forward compatibility.
 */
export const ContainerResultSchema = z.looseObject({
  prompt_id: z.optional(z.string()),
  /** Echoed from the staged request: lets completion write without reading the record first. */
  owner: z.optional(z.string()),
  status: z.enum(['success', 'failed', 'cancelled']),
  output_path: z._default(z.string(), ''),
  output_files: z._default(z.array(z.string()), []),
  temp_path: z._default(z.string(), ''),
  temp_files: z._default(z.array(z.string()), []),
  /** ComfyUI's per-node outputs, file items annotated with their S3 `key`. */
  outputs: z.optional(z.record(z.string(), z.record(z.string(), z.unknown()))),
  /** Where the run's time went: model downloads, ComfyUI, the whole invocation (ms). */
  timings: z.optional(z.record(z.string(), z.number())),
  /** Bytes of the output and temp files the container stored. */
  output_bytes: z.optional(z.number()),
  start_time: z.optional(z.string()),
  complete_time: z.optional(z.string()),
  message: z.optional(z.string()),
  error: z.nullish(z.record(z.string(), z.unknown())),
});
export type ContainerResult = z.infer<typeof ContainerResultSchema>;

/**
 * Reads a container result, also in ESD's shape (a JSON array of per-prompt results with
 * `status: "fail"`). Returns undefined when the text is not a result for this prompt.
 */
export function parseContainerResult(text: string, promptId: string): ContainerResult | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const candidates = Array.isArray(parsed) ? parsed : [parsed];
  for (const candidate of candidates) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const normalised = { ...candidate } as Record<string, unknown>;
    if (normalised.status === 'fail') normalised.status = 'failed';
    if (normalised.prompt_id !== undefined && normalised.prompt_id !== promptId) continue;
    const result = z.safeParse(ContainerResultSchema, normalised);
    if (result.success) return result.data;
  }
  return undefined;
}
