import type { ComfyExecClient } from '@comfy-exec/client';

/** One node's `/object_info` entry: the parts the console reads. */
export interface NodeInfo {
  input?: { required?: Record<string, unknown>; optional?: Record<string, unknown> };
  input_order?: { required?: string[]; optional?: string[] };
  display_name?: string;
}

/** The endpoint's node catalog: ComfyUI's `GET /object_info`, class_type → node. */
export type Catalog = Record<string, NodeInfo>;

/** One fetch per client (per key): the catalog is large and changes only with a new image. */
const fetched = new WeakMap<ComfyExecClient, Promise<Catalog>>();

/** The API's ComfyUI `GET /object_info`, with the caller's key. */
export function loadCatalog(client: ComfyExecClient): Promise<Catalog> {
  let pending = fetched.get(client);
  if (!pending) {
    const base = client.options.apiUrl.replace(/\/?$/, '/');
    pending = fetch(`${base}comfyui/object_info`, {
      headers: { 'x-api-key': client.options.apiKey, accept: 'application/json' },
    }).then(async (response) => {
      if (!response.ok) throw new Error(`the node catalog (object_info): HTTP ${response.status}`);
      return (await response.json()) as Catalog;
    });
    // A failed fetch is tried again by the next page that asks.
    pending.catch(() => fetched.delete(client));
    fetched.set(client, pending);
  }
  return pending;
}

/** An input's spec: `[type, options]`, from required or optional. */
export function inputSpec(
  catalog: Catalog | null | undefined,
  classType: string,
  name: string,
): unknown[] | undefined {
  const input = catalog?.[classType]?.input;
  const spec = input?.required?.[name] ?? input?.optional?.[name];
  return Array.isArray(spec) ? spec : undefined;
}

/**
 * A choice input's values: ComfyUI's old combo spec (`[[...values], options]`) or its newer
 * `["COMBO", {options: [...]}]`. Undefined for any other input.
 */
export function choicesOf(
  catalog: Catalog | null | undefined,
  classType: string,
  name: string,
): string[] | undefined {
  const spec = inputSpec(catalog, classType, name);
  if (!spec) return undefined;
  const [type, options] = spec as [unknown, { options?: unknown } | undefined];
  const values = Array.isArray(type) ? type : type === 'COMBO' ? options?.options : undefined;
  return Array.isArray(values) ? values.map((value) => String(value)) : undefined;
}

/** Image pickers (LoadImage's `image`) are files to upload, not choices from the endpoint. */
export function isUploadInput(catalog: Catalog | null | undefined, classType: string, name: string): boolean {
  const options = inputSpec(catalog, classType, name)?.[1] as Record<string, unknown> | undefined;
  return Boolean(options && (options.image_upload || options.video_upload || options.audio_upload));
}

/**
 * A node's inputs in ComfyUI's order (its `input_order`, else required then optional as
 * object_info lists them), then any the catalog does not know, in the prompt's order.
 */
export function orderedInputNames(
  catalog: Catalog | null | undefined,
  classType: string,
  names: string[],
): string[] {
  const info = catalog?.[classType];
  if (!info) return names;
  const order = [
    ...(info.input_order?.required ?? Object.keys(info.input?.required ?? {})),
    ...(info.input_order?.optional ?? Object.keys(info.input?.optional ?? {})),
  ];
  const present = new Set(names);
  const known = order.filter((name) => present.has(name));
  const knownSet = new Set(known);
  return [...known, ...names.filter((name) => !knownSet.has(name))];
}

/** Every choice input of an API prompt the catalog knows, in node order then ComfyUI's input order. */
export function choiceInputs(
  catalog: Catalog | null | undefined,
  prompt: Record<string, { class_type: string; inputs?: Record<string, unknown> }>,
): { node: string; classType: string; name: string; choices: string[] }[] {
  const found: { node: string; classType: string; name: string; choices: string[] }[] = [];
  for (const [node, spec] of Object.entries(prompt)) {
    const inputs = spec.inputs ?? {};
    for (const name of orderedInputNames(catalog, spec.class_type, Object.keys(inputs))) {
      if (typeof inputs[name] !== 'string' || isUploadInput(catalog, spec.class_type, name)) continue;
      const choices = choicesOf(catalog, spec.class_type, name);
      if (choices) found.push({ node, classType: spec.class_type, name, choices });
    }
  }
  return found;
}
