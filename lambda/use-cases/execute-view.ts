import type { ExecuteRecord } from '../domain/execute-record';
import type { PayloadStore } from '../domain/ports';

/** `s3://bucket/prefix/` + `node/file.png`, tolerating ESD's leading '/' and a missing trailing '/'. */
export function joinS3(base: string, file: string): string {
  const relative = file.replace(/^\/+/, '');
  return base.endsWith('/') ? `${base}${relative}` : `${base}/${relative}`;
}

async function signAll(payloads: PayloadStore, base: string, files: readonly string[], ttl: number) {
  if (base === '' || files.length === 0) return [...files];
  return Promise.all(files.map((file) => payloads.presignGet(joinS3(base, file), ttl)));
}

/** output_files / temp_files as pre-signed GET URLs, as ESD returns them. */
export async function signedFileLists(
  record: Pick<ExecuteRecord, 'output_path' | 'output_files' | 'temp_path' | 'temp_files'>,
  payloads: PayloadStore,
  ttlSeconds: number,
): Promise<{ output_files: string[]; temp_files: string[] }> {
  const [outputFiles, tempFiles] = await Promise.all([
    signAll(payloads, record.output_path, record.output_files, ttlSeconds),
    signAll(payloads, record.temp_path, record.temp_files, ttlSeconds),
  ]);
  return { output_files: outputFiles, temp_files: tempFiles };
}
