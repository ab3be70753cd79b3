import { z } from 'zod';

/**
 * The JSON the endpoint container answers /invocations with; SageMaker stores it verbatim as the
 * output object (2xx) or failure object (non-2xx). Unknown keys are kept for forward compatibility.
 */
export const ContainerResultSchema = z.looseObject({
  prompt_id: z.string().optional(),
  status: z.enum(['success', 'failed', 'cancelled']),
  output_path: z.string().default(''),
  output_files: z.array(z.string()).default([]),
  temp_path: z.string().default(''),
  temp_files: z.array(z.string()).default([]),
  start_time: z.string().optional(),
  complete_time: z.string().optional(),
  message: z.string().optional(),
  error: z.record(z.string(), z.unknown()).nullish(),
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
    const result = ContainerResultSchema.safeParse(normalised);
    if (result.success) return result.data;
  }
  return undefined;
}
