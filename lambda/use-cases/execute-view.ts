import { type ExecuteOutputs, mapFileItems } from '../domain/execute-outputs';
import type { ExecuteRecord } from '../domain/execute-record';
import type { PayloadStore } from '../domain/ports';

/** `s3://bucket/prefix/` + `node/file.png`, tolerating ESD's leading '/' and a missing trailing '/'. */
export function joinS3(base: string, file: string): string {
  const relative = file.replace(/^\/+/, '');
  return base.endsWith('/') ? `${base}${relative}` : `${base}/${relative}`;
}

type Signer = Pick<PayloadStore, 'presignGet'>;

function signAll(payloads: Signer, base: string, files: readonly string[], ttl: number) {
  if (base === '' || files.length === 0) return [...files];
  return Promise.all(files.map((file) => payloads.presignGet(joinS3(base, file), ttl)));
}

/**
 * A signer that signs each file once: a finished execute's outputs are named both in
 * `output_files` and in `outputs`, and both get the same URL (it was signed twice, in the same
 * second, to the same text). Signing is most of what GetExecute does besides its GetItem.
 */
export function signingEachOnce(payloads: Signer): Signer {
  const urls = new Map<string, Promise<string>>();
  return {
    presignGet: (uri, expiresInSeconds) => {
      const key = `${expiresInSeconds} ${uri}`;
      let url = urls.get(key);
      if (!url) {
        url = payloads.presignGet(uri, expiresInSeconds);
        urls.set(key, url);
      }
      return url;
    },
  };
}

/** output_files / temp_files as pre-signed GET URLs, as ESD returns them. */
export async function signedFileLists(
  record: Pick<ExecuteRecord, 'output_path' | 'output_files' | 'temp_path' | 'temp_files'>,
  payloads: Signer,
  ttlSeconds: number,
): Promise<{ output_files: string[]; temp_files: string[] }> {
  const [outputFiles, tempFiles] = await Promise.all([
    signAll(payloads, record.output_path, record.output_files, ttlSeconds),
    signAll(payloads, record.temp_path, record.temp_files, ttlSeconds),
  ]);
  return { output_files: outputFiles, temp_files: tempFiles };
}

type OutputsFields = Pick<
  ExecuteRecord,
  'prompt_id' | 'output_path' | 'temp_path' | 'outputs' | 'outputs_location'
>;

/** The recorded outputs, or those of the result object when they were too large for the record. */
export async function recordedOutputs(
  record: OutputsFields,
  payloads: Pick<PayloadStore, 'getText'>,
): Promise<ExecuteOutputs | null> {
  if (record.outputs) return record.outputs;
  if (!record.outputs_location) return null;
  const text = await payloads.getText(record.outputs_location);
  if (text === undefined) throw new Error(`result object ${record.outputs_location} is missing`);
  // Imported here, the rare time it is needed: its schema is built when its module loads, and the
  // functions that import this file for findOwnedExecute or a record's outputs would pay for it.
  const { parseContainerResult } = await import('../domain/execute-result');
  return parseContainerResult(text, record.prompt_id)?.outputs ?? null;
}

/** ComfyUI's per-node outputs, every stored file item given a pre-signed GET `url`. */
export async function signedOutputs(
  record: OutputsFields,
  payloads: Pick<PayloadStore, 'presignGet' | 'getText'>,
  ttlSeconds: number,
): Promise<ExecuteOutputs | null> {
  // Read in place when the record holds them (no await: every promise costs under X-Ray's async hook).
  const outputs = record.outputs ?? (await recordedOutputs(record, payloads));
  if (!outputs) return null;
  return mapFileItems(outputs, (item) =>
    payloads.presignGet(
      joinS3(item.type === 'temp' ? record.temp_path : record.output_path, item.key),
      ttlSeconds,
    ),
  );
}
