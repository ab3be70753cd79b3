import { RequestValidationError } from '../domain/errors';
import { type FileInput, fileInputsOf } from '../domain/inputs/file-inputs';
import {
  filenameProblem,
  relativePathProblem,
  withoutInputAnnotation,
} from '../domain/inputs/input-file-name';
import { type InputSource, parseInputSource } from '../domain/inputs/input-source';
import { contentTypeFitsKind } from '../domain/inputs/media-kinds';
import type { StagedInputFile, StagedInputs } from '../domain/inputs/staged-inputs';
import { isUploadedInputName } from '../domain/inputs/uploaded-input-name';
import { isUnderPrefix, keyProblem, s3UriProblem } from '../domain/object-key';
import type { InputStore, PayloadStore } from '../domain/ports';
import type { PromptGraph } from '../domain/prompt-graph';
import { comboOptions, inputSpecOf, type NodeCatalog } from '../domain/workflow/node-catalog';

/** Whether the endpoint's catalog already offers the value (a file on the endpoint). */
function endpointLists(catalog: NodeCatalog, input: FileInput): boolean {
  const options = comboOptions(inputSpecOf(catalog, input.classType, input.input));
  return options?.includes(withoutInputAnnotation(input.value)) === true;
}

/** Resolves a host name to every address it has (A and AAAA). */
export type HostResolver = (hostname: string) => Promise<string[]>;

export interface ExecuteInputsConfig {
  /** Buckets (besides the caller's own inputs prefix) whose objects executes may read. */
  readableBuckets: readonly string[];
  /** Local stack only: http:// URLs and loopback addresses, for test servers on this machine. */
  allowLoopbackUrls: boolean;
  maxInlineInputs: number;
  maxSyncedFiles: number;
}

export interface ExecuteInputsDeps {
  inputs: InputStore;
  payloads: PayloadStore;
  resolveHost: HostResolver;
  config: ExecuteInputsConfig;
}

/** What the client sent about files: CreateExecute's `inputs`, and ESD's `need_prepare`. */
export interface ExecuteInputsRequest {
  inputs?: Record<string, string>;
  need_prepare?: boolean;
  prepare_props?: Record<string, unknown> | null;
}

interface KnownFile {
  /** Where the container fetches it from; data is staged to S3 first. */
  source: InputSource;
  contentType?: string;
  origin: 'inline' | 'synced' | 'uploaded';
}

/**
 * The files an execute brings to ComfyUI's input folder — inline ones, ESD-style synced ones and
 * the caller's uploaded ones — checked before any GPU time is spent and staged for the container.
 * Used in three steps: `read` (the request's own inputs), `available` (the names the prompt's
 * file inputs may use, for validation), then `stage` (writes, only once the execute is valid).
 */
export class ExecuteInputs {
  private readonly files = new Map<string, KnownFile>();
  private fileInputs: FileInput[] = [];

  private constructor(
    private readonly owner: string,
    private readonly deps: ExecuteInputsDeps,
  ) {}

  static async read(
    request: ExecuteInputsRequest,
    owner: string,
    deps: ExecuteInputsDeps,
  ): Promise<ExecuteInputs> {
    const plan = new ExecuteInputs(owner, deps);
    await plan.readSynced(request);
    await plan.readInline(request.inputs ?? {});
    return plan;
  }

  private refuse(message: string): never {
    throw new RequestValidationError(message);
  }

  /** ESD's `need_prepare` with `prepare_type: "inputs"`: every object under the prefix, by its relative path. */
  private async readSynced(request: ExecuteInputsRequest) {
    if (!request.need_prepare) return;
    const props = request.prepare_props ?? {};
    if (props.prepare_type !== 'inputs')
      this.refuse(
        `need_prepare: prepare_props.prepare_type '${String(props.prepare_type)}' is not supported; use "inputs" with an s3_source_path`,
      );
    const path = props.s3_source_path;
    if (typeof path !== 'string' || !/^s3:\/\/[^/]+\/.*$/.test(path))
      this.refuse('need_prepare: prepare_props.s3_source_path must be an s3://bucket/prefix/ URI');
    const prefix = path.endsWith('/') ? path : `${path}/`;
    this.checkReadable(prefix, 'prepare_props.s3_source_path');
    const { objects, truncated } = await this.deps.payloads.listUnder(
      prefix,
      this.deps.config.maxSyncedFiles,
    );
    if (truncated)
      this.refuse(`need_prepare: ${prefix} holds more than ${this.deps.config.maxSyncedFiles} files`);
    for (const object of objects) {
      const problem = relativePathProblem(object.relativeKey);
      if (problem) this.refuse(`need_prepare: the object ${prefix}${object.relativeKey} ${problem}`);
      this.files.set(object.relativeKey, {
        source: { type: 's3', uri: `${prefix}${object.relativeKey}` },
        origin: 'synced',
      });
    }
  }

  private async readInline(inputs: Record<string, string>) {
    const entries = Object.entries(inputs);
    if (entries.length > this.deps.config.maxInlineInputs)
      this.refuse(`inputs: ${entries.length} files; at most ${this.deps.config.maxInlineInputs} per execute`);
    for (const [filename, value] of entries) {
      const problem = filenameProblem(filename);
      if (problem) this.refuse(`inputs: the file name '${filename}' ${problem}`);
      if (this.files.has(filename))
        this.refuse(`inputs['${filename}']: the synced prefix already holds a file of that name`);
      const source = parseInputSource(filename, value, { allowHttp: this.deps.config.allowLoopbackUrls });
      let contentType = source.type === 'data' ? source.contentType : undefined;
      if (source.type === 'url') await this.checkHost(filename, source.url);
      if (source.type === 's3') {
        this.checkReadable(source.uri, `inputs['${filename}']`);
        const info = await this.deps.payloads.headObject(source.uri);
        if (!info) this.refuse(`inputs['${filename}']: ${source.uri} does not exist or cannot be read`);
        contentType = info.contentType;
      }
      this.files.set(filename, { source, ...(contentType ? { contentType } : {}), origin: 'inline' });
    }
  }

  /**
   * s3:// sources: the caller's own inputs prefix, or a bucket the operator opened to executes.
   * A key is literal in S3, but an emulator (and any proxy) may resolve dot segments: a key with
   * them could leave the prefix checked below, and no real input needs one. The prefix is
   * compared on the normalised key besides.
   */
  private checkReadable(uri: string, what: string) {
    const problem = s3UriProblem(uri, { prefix: uri.endsWith('/') });
    if (problem) this.refuse(`${what}: ${uri} ${problem}`);
    const bucket = /^s3:\/\/([^/]+)\//.exec(uri)?.[1];
    if (isUnderPrefix(uri, this.deps.inputs.prefixOf(this.owner))) return;
    if (bucket && this.deps.config.readableBuckets.includes(bucket)) return;
    this.refuse(
      `${what}: ${uri} is not readable by executes; use your inputs prefix (${this.deps.inputs.prefixOf(this.owner)}) or a bucket the operator allowed`,
    );
  }

  /** The URL's host must resolve to public addresses only (the container checks again when it fetches). */
  private async checkHost(filename: string, url: string) {
    const host = new URL(url).hostname;
    // Imported here: only creates with URL inputs need the address ranges (ipaddr.js).
    const { isFetchableAddress, literalAddress } = await import('../domain/inputs/address-policy');
    const literal = literalAddress(host);
    let addresses: string[];
    try {
      addresses = literal ? [literal] : await this.deps.resolveHost(host);
    } catch {
      this.refuse(`inputs['${filename}']: the host ${host} does not resolve`);
    }
    const allowLoopback = this.deps.config.allowLoopbackUrls;
    const blocked = addresses.find((address) => !isFetchableAddress(address, { allowLoopback }));
    if (addresses.length === 0 || blocked)
      this.refuse(
        `inputs['${filename}']: ${host} resolves to ${blocked ?? 'no address'}, which is not a public address; only public https URLs are fetched`,
      );
  }

  /**
   * The file names the prompt's file inputs may use: the execute's own files, and the caller's
   * uploaded inputs the prompt names (looked up here; another key's names are simply unknown).
   */
  async available(prompt: PromptGraph, catalog: NodeCatalog): Promise<ReadonlySet<string>> {
    this.fileInputs = fileInputsOf(prompt, catalog);
    // An uploaded input's name becomes a key: one with dot segments (`in-…-/../../<other key>/…`)
    // is refused before any lookup (S3 keeps it literal, but an emulator or proxy could resolve it).
    for (const input of this.fileInputs) {
      const name = withoutInputAnnotation(input.value);
      if (!isUploadedInputName(name) || endpointLists(catalog, input)) continue;
      const problem = keyProblem(name);
      if (problem)
        this.refuse(
          `${input.classType} (node ${input.nodeId}) input '${input.input}': '${input.value}' ${problem}`,
        );
    }
    // The caller's inputs: uploaded ones (in-… names) and ones ESD's POST /prepare copied
    // (their relative paths); names the endpoint itself lists are not looked up.
    const wanted = new Set(
      this.fileInputs
        .filter((input) => !endpointLists(catalog, input))
        .map((input) => withoutInputAnnotation(input.value))
        .filter(
          (name) =>
            !this.files.has(name) && (isUploadedInputName(name) || relativePathProblem(name) === undefined),
        ),
    );
    // Each name is one lookup (a HeadObject) before the create answers: bounded like inline files.
    if (wanted.size > this.deps.config.maxInlineInputs)
      this.refuse(
        `the prompt's file inputs name ${wanted.size} different uploaded inputs; at most ${this.deps.config.maxInlineInputs} per execute`,
      );
    const found = await Promise.all([...wanted].map((name) => this.deps.inputs.find(this.owner, name)));
    for (const input of found) {
      if (!input) continue;
      const uri = this.deps.inputs.uriOf(this.owner, input.name);
      this.files.set(input.name, {
        source: { type: 's3', uri },
        contentType: input.content_type,
        origin: 'uploaded',
      });
    }
    this.checkKinds();
    return new Set(this.files.keys());
  }

  /** A declared type that cannot feed the node reading it is refused now, not after the GPU starts. */
  private checkKinds() {
    for (const input of this.fileInputs) {
      const file = this.files.get(withoutInputAnnotation(input.value));
      if (!file?.contentType || contentTypeFitsKind(file.contentType, input.kind)) continue;
      this.refuse(
        `${input.classType} (node ${input.nodeId}) input '${input.input}' reads ${input.kind} files, but '${withoutInputAnnotation(input.value)}' is ${file.contentType}`,
      );
    }
  }

  /** True when the execute brings no files at all (nothing to stage or fetch). */
  get empty(): boolean {
    return this.files.size === 0;
  }

  /**
   * Writes inline data beside the request and describes every file for the container. Returns
   * the objects written, so a create that loses its race can remove them.
   */
  async stage(promptId: string, digest: string): Promise<{ staged: StagedInputs; written: string[] }> {
    const written: string[] = [];
    const inputFiles: StagedInputFile[] = [];
    for (const [name, file] of this.files) {
      let source: string;
      if (file.source.type === 'data') {
        source = await this.deps.payloads.putInputFile(
          promptId,
          digest,
          name,
          file.source.bytes,
          file.contentType,
        );
        written.push(source);
      } else if (file.origin === 'uploaded' && file.source.type === 's3') {
        // The execute's own copy: the caller may delete the input (DELETE /inputs) while the
        // execute is still queued, and the run must not fail for it (one CopyObject, under 100 MiB).
        source = this.deps.payloads.inputFileUri(promptId, digest, name);
        await this.deps.payloads.copyObject(file.source.uri, source);
        written.push(source);
      } else source = file.source.type === 'url' ? file.source.url : file.source.uri;
      inputFiles.push({ name, source, ...(file.contentType ? { content_type: file.contentType } : {}) });
    }
    const bindings = this.fileInputs.flatMap((input) => {
      const name = withoutInputAnnotation(input.value);
      return this.files.has(name)
        ? [{ node_id: input.nodeId, input: input.input, name, kind: input.kind }]
        : [];
    });
    return { staged: { input_files: inputFiles, input_bindings: bindings }, written };
  }
}
