import { ExecuteNotFoundError } from '../domain/errors';
import { parseExactJson } from '../domain/exact-json';
import {
  type ExecuteRecord,
  extraDataIsStaged,
  type PublicExecute,
  redactExtraData,
  toPublicExecute,
} from '../domain/execute-record';
import type { ExecuteStore, PayloadStore } from '../domain/ports';
import { isPromptId } from '../domain/prompt-id';
import { signedFileLists, signedOutputs, signingEachOnce } from './execute-view';

export interface GetExecuteDeps {
  store: ExecuteStore;
  payloads: PayloadStore;
  config: { presignTtlSeconds: number };
}

/** The caller's record, or ExecuteNotFoundError (another owner's record is not found either). */
export async function findOwnedExecute(
  store: ExecuteStore,
  promptId: string,
  owner: string,
): Promise<ExecuteRecord> {
  // An id we could never have minted or accepted cannot name a record: no lookup needed.
  const record = isPromptId(promptId) ? await store.get(promptId) : undefined;
  if (!record || record.owner !== owner) throw new ExecuteNotFoundError(promptId);
  return record;
}

/** The prompt of a record whose prompt was too big for it, read from its staged request. */
async function stagedRequest(record: ExecuteRecord, payloads: PayloadStore) {
  const text = await payloads.getText(record.prompt_path);
  if (text === undefined) throw new Error(`staged request ${record.prompt_path} is missing`);
  return parseExactJson(text) as Pick<ExecuteRecord['prompt_params'], 'prompt' | 'extra_data'>;
}

/** Whether the record's prompt or extra_data is only in its staged request. */
const hasStagedParams = (record: ExecuteRecord) =>
  record.prompt_location === 's3' || extraDataIsStaged(record);

/** The prompt and extra_data as sent, read back from the staged request where the record could not hold them. */
export async function promptParamsOf(record: ExecuteRecord, payloads: PayloadStore) {
  const staged = extraDataIsStaged(record);
  if (record.prompt_location !== 's3' && !staged) return record.prompt_params;
  const request = await stagedRequest(record, payloads);
  return {
    ...record.prompt_params,
    ...(record.prompt_location === 's3' ? { prompt: request.prompt } : {}),
    ...(staged ? { extra_data: redactExtraData(request.extra_data ?? null) } : {}),
  };
}

/** GetExecute: the whole record, files as pre-signed URLs, the prompt read back from S3 when it was too big. */
export async function getExecute(
  promptId: string,
  owner: string,
  deps: GetExecuteDeps,
): Promise<PublicExecute> {
  return executeView(await findOwnedExecute(deps.store, promptId, owner), deps);
}

/** A record as GetExecute shows it (for a caller that has read it already, as a webhook delivery has). */
export async function executeView(
  record: ExecuteRecord,
  deps: Pick<GetExecuteDeps, 'payloads' | 'config'>,
): Promise<PublicExecute> {
  const ttl = deps.config.presignTtlSeconds;
  const { payloads } = deps;
  const signer = { ...signingEachOnce(payloads), getText: (uri: string) => payloads.getText(uri) };
  const [promptParams, files, outputs] = await Promise.all([
    // As the record has them, most of the time: no read to start.
    hasStagedParams(record) ? promptParamsOf(record, payloads) : record.prompt_params,
    signedFileLists(record, signer, ttl),
    signedOutputs(record, signer, ttl),
  ]);
  return { ...toPublicExecute(record), prompt_params: promptParams, ...files, outputs };
}
