/**
 * ComfyUI's per-node outputs as `/history` reports them (`{node_id: {images: [...], text: [...]}}`),
 * after the container stored each file item in S3 and added its `key` (relative to the execute's
 * output or temp path). Non-file values (text, numbers, nested lists) are kept as ComfyUI gave them.
 */
export type ExecuteOutputs = Record<string, Record<string, unknown>>;

/** A file item the container stored: ComfyUI's `{filename, subfolder, type}` plus its S3 key. */
export interface StoredFileItem {
  filename: string;
  subfolder?: string;
  type?: string;
  key: string;
}

/** Outputs larger than this stay in the result object only (DynamoDB items stop at 400 KB). */
export const MAX_RECORDED_OUTPUTS_BYTES = 64 * 1024;

export function isStoredFileItem(item: unknown): item is StoredFileItem {
  return (
    typeof item === 'object' &&
    item !== null &&
    typeof (item as StoredFileItem).filename === 'string' &&
    typeof (item as StoredFileItem).key === 'string'
  );
}

/** A copy of the outputs in which every stored file item carries `url: await sign(item)`. */
export async function mapFileItems(
  outputs: ExecuteOutputs,
  sign: (item: StoredFileItem) => Promise<string>,
): Promise<ExecuteOutputs> {
  const signed: ExecuteOutputs = {};
  const pending: Promise<void>[] = [];
  for (const [nodeId, ui] of Object.entries(outputs)) {
    const node: Record<string, unknown> = {};
    signed[nodeId] = node;
    for (const [kind, value] of Object.entries(ui ?? {})) {
      if (!Array.isArray(value)) {
        node[kind] = value;
        continue;
      }
      const items = [...value];
      node[kind] = items;
      items.forEach((item, index) => {
        if (!isStoredFileItem(item)) return;
        pending.push(
          sign(item).then((url) => {
            items[index] = { ...item, url };
          }),
        );
      });
    }
  }
  await Promise.all(pending);
  return signed;
}
