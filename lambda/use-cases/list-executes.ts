import type { ExecuteOutputs } from '../domain/execute-outputs';
import type { ExecuteStatus } from '../domain/execute-status';
import type { ExecuteStore, PayloadStore } from '../domain/ports';
import { type TemplateStore, templateGeneration } from '../domain/templates/template';
import { signedFileLists, signedOutputs } from './execute-view';

export interface ListExecutesInput {
  limit: number;
  cursor?: string;
  status?: ExecuteStatus;
  template?: string;
}

export interface ListExecutesDeps {
  store: ExecuteStore;
  /** The caller's templates: `template` lists the runs of the one saved under that name now. */
  templates: Pick<TemplateStore, 'get'>;
  payloads: PayloadStore;
  config: { presignTtlSeconds: number };
}

/** The row shape of ESD's ListExecutes (narrower than GetExecute), plus progress. */
export interface ExecuteListItem {
  prompt_id: string;
  endpoint_name: string;
  status: ExecuteStatus;
  create_time: string;
  start_time: string;
  need_sync: boolean;
  complete_time: string | null;
  output_path: string;
  output_files: string[];
  temp_path: string;
  temp_files: string[];
  outputs: ExecuteOutputs | null;
  message: string;
  progress: unknown;
}

/** ListExecutes: the caller's executes, newest first, one index query per page (never a Scan). */
export async function listExecutes(
  input: ListExecutesInput,
  owner: string,
  deps: ListExecutesDeps,
): Promise<{ executes: ExecuteListItem[]; last_evaluated_key: string | null }> {
  const { template, ...query } = input;
  const saved = template === undefined ? undefined : await deps.templates.get(owner, template);
  // No template of that name (never saved, or deleted): it has no runs to list.
  if (template !== undefined && !saved) return { executes: [], last_evaluated_key: null };
  const page = await deps.store.listByOwner({
    owner,
    ...query,
    ...(saved ? { template: templateGeneration(saved.template.name, saved.template.create_time) } : {}),
  });
  const executes = await Promise.all(
    page.records.map(async (record) => ({
      prompt_id: record.prompt_id,
      endpoint_name: record.endpoint_name,
      status: record.status,
      create_time: record.create_time,
      start_time: record.start_time,
      need_sync: record.need_sync,
      complete_time: record.complete_time,
      output_path: record.output_path,
      temp_path: record.temp_path,
      message: record.message,
      progress: record.progress,
      ...(await signedFileLists(record, deps.payloads, deps.config.presignTtlSeconds)),
      outputs: await signedOutputs(record, deps.payloads, deps.config.presignTtlSeconds),
    })),
  );
  return { executes, last_evaluated_key: page.cursor };
}
