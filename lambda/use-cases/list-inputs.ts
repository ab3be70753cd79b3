import { RequestValidationError } from '../domain/errors';
import { keyProblem } from '../domain/object-key';
import type { InputStore, StoredInput } from '../domain/ports';

/** ListInputs: the caller's uploaded inputs, newest first, a page at a time. */
export async function listInputs(
  query: { limit: number; cursor?: string },
  owner: string,
  deps: { inputs: InputStore },
): Promise<{ inputs: StoredInput[]; last_evaluated_key: string | null; s3_prefix: string }> {
  // The cursor (a name from the previous page) becomes a key S3 starts the listing after.
  const problem = query.cursor === undefined ? undefined : keyProblem(query.cursor);
  if (problem) throw new RequestValidationError(`exclusive_start_key '${query.cursor}' ${problem}`);
  const page = await deps.inputs.list(owner, query);
  return { inputs: page.inputs, last_evaluated_key: page.cursor, s3_prefix: deps.inputs.prefixOf(owner) };
}
