// Named imports: the z namespace defeats tree-shaking (zod's whole 450 KB lands in every bundle).
import type { z } from 'zod';
import {
  looseObject,
  array as zArray,
  enum as zEnum,
  record as zRecord,
  string as zString,
  unknown as zUnknown,
} from 'zod';

/**
 * The JSON the endpoint container answers /invocations with; SageMaker stores it verbatim as the
 * output object (2xx) or failure object (non-2xx). Unknown keys are kept for forward compatibility.
 */
export const ContainerResultSchema = looseObject({
  prompt_id: zString().optional(),
  /** Echoed from the staged request: lets completion write without reading the record first. */
  owner: zString().optional(),
  status: zEnum(['success', 'failed', 'cancelled']),
  output_path: zString().default(''),
  output_files: zArray(zString()).default([]),
  temp_path: zString().default(''),
  temp_files: zArray(zString()).default([]),
  start_time: zString().optional(),
  complete_time: zString().optional(),
  message: zString().optional(),
  error: zRecord(zString(), zUnknown()).nullish(),
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
