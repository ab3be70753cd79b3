import type { ExecuteRecord } from './execute-record';
import type { ExecuteStatus } from './execute-status';
import type { UsageDelta } from './usage';
import type { NodeCatalog } from './workflow/node-catalog';

/** Where execute records live (DynamoDB on AWS and locally). */
export interface ExecuteStore {
  get(promptId: string): Promise<ExecuteRecord | undefined>;
  /**
   * Writes the record only if no record has this prompt_id; false when one already exists. An
   * unfinished record takes one of its owner's `unfinishedCap` places in the same write (throws
   * TooManyRequestsError when none is left); finishing or deleting it gives the place back.
   */
  createIfAbsent(record: ExecuteRecord, unfinishedCap?: number): Promise<boolean>;
  /**
   * One conditional update of the record `key` names (its owner is part of the condition):
   * applies `set` only while the status is one of `from`, when given. Returns the updated
   * record, or undefined when the record is missing or the condition did not hold.
   */
  update(key: RecordKey, change: RecordChange): Promise<ExecuteRecord | undefined>;
  /** Newest first. */
  listByOwner(query: ListQuery): Promise<ListPage>;
  /** Ids of executes not yet final, the nearest deadline first. */
  listPendingIds(limit: number): Promise<string[]>;
  /**
   * Deletes the record if `owner` owns it; false when it did not exist or is someone else's.
   * An execute not yet counted (unfinished: as cancelled now) is added to its owner's usage in
   * the same write.
   */
  deleteOwned(promptId: string, owner: string): Promise<boolean>;
  /**
   * Adds a final record's usage to its owner's counters and marks it counted, in one write; false
   * when it was counted already (or is no longer as read). For records finished by a write that
   * carried no usage (the container's).
   */
  countUsage(record: ExecuteRecord): Promise<boolean>;
  /**
   * An execute deleted while it ran (`prompt_path` names its run), whose run's rest is not yet
   * counted: what its delete counted. Undefined when there is none, or it was settled.
   */
  deletedRun(promptPath: string): Promise<DeletedRunUsage | undefined>;
  /** Adds the run's time past what its delete counted, once; false when already settled. */
  settleDeletedRun(run: DeletedRunUsage, totalMs: number): Promise<boolean>;
}

/** What a delete of a running execute counted (lambda/adapters/deleted-run-marker.ts). */
export interface DeletedRunUsage {
  promptPath: string;
  owner: string;
  endpointName: string;
  day: string;
  countedGpuMs: number;
}

export type RecordKey = Pick<ExecuteRecord, 'prompt_id' | 'owner'>;

export interface RecordChange {
  from?: readonly ExecuteStatus[];
  set: Partial<Omit<ExecuteRecord, 'prompt_id' | 'owner'>>;
  /** Keys merged into the `sagemaker_raw` map without replacing what is there. */
  mergeSagemakerRaw?: Record<string, unknown>;
  /** Applies only while `sagemaker_raw` has no such key (a write that must not follow another). */
  whileSagemakerRawLacks?: string;
  /** Applies only while the record's `request_hash` is this (the request that created it). */
  whileRequestHash?: string;
  /**
   * A finishing change's usage (usageOfFinishing), added to the owner's counters in the same
   * write. A record finished without it stays in the Sweeper's pending index until counted.
   */
  usage?: UsageDelta;
}

export interface ListQuery {
  owner: string;
  status?: ExecuteStatus;
  /** Only executes run from this saving of a template (templateGeneration: name and create_time). */
  template?: string;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

/** The attributes the listing index projects. */
export const SUMMARY_KEYS = [
  'prompt_id',
  'owner',
  'status',
  'endpoint_name',
  'create_time',
  'start_time',
  'need_sync',
  'complete_time',
  'output_path',
  'output_files',
  'temp_path',
  'temp_files',
  'outputs',
  'outputs_location',
  'message',
  'progress',
] as const satisfies readonly (keyof ExecuteRecord)[];

export type ExecuteSummary = Pick<ExecuteRecord, (typeof SUMMARY_KEYS)[number]>;

export interface ListPage {
  records: ExecuteSummary[];
  /** Cursor for the next page, or null at the end. */
  cursor: string | null;
}

/** Objects in S3: staged requests, outputs. */
export interface PayloadStore {
  /** Stages the request body; returns its `s3://` URI. Same key for the same digest. */
  putRequest(promptId: string, digest: string, body: string): Promise<string>;
  /** The URIs putRequest and putWorkflow write to, known before they are written. */
  requestUri(promptId: string, digest: string): string;
  workflowUri(promptId: string, digest: string): string;
  /** Keeps the UI workflow a prompt was converted from, beside the request; returns its URI. */
  putWorkflow(promptId: string, digest: string, body: string): Promise<string>;
  getText(uri: string): Promise<string | undefined>;
  /** An object's bytes, or undefined when it does not exist. */
  getBytes(uri: string): Promise<Uint8Array | undefined>;
  deleteObject(uri: string): Promise<void>;
  /** Removes every object under the execute's prefix (request, outputs, temp files). */
  deleteExecuteObjects(promptId: string): Promise<void>;
  presignGet(uri: string, expiresInSeconds: number): Promise<string>;
  /** Where an execute's own copy of one input file lives, beside its request. */
  inputFileUri(promptId: string, digest: string, filename: string): string;
  /** Stages one inline input of an execute beside its request; returns its URI. */
  putInputFile(
    promptId: string,
    digest: string,
    filename: string,
    bytes: Uint8Array,
    contentType?: string,
  ): Promise<string>;
  /** Size and type of an object, or undefined when there is none (or it may not be read). */
  headObject(uri: string): Promise<ObjectInfo | undefined>;
  /**
   * A server-side copy. Past 5 GiB (CopyObject's limit) it goes in parts, which needs the object's
   * `size`: without it, objects over 5 GiB fail.
   */
  copyObject(fromUri: string, toUri: string, size?: number): Promise<void>;
  /** The objects under a prefix, keys relative to it; at most `max` (then `truncated`). */
  listUnder(prefixUri: string, max: number): Promise<{ objects: ListedObject[]; truncated: boolean }>;
}

export interface ObjectInfo {
  size: number;
  contentType?: string;
  lastModified?: Date;
  metadata: Record<string, string>;
}

export interface ListedObject {
  relativeKey: string;
  size: number;
}

/** An input uploaded once and used by any later execute of its owner. */
export interface StoredInput {
  name: string;
  /** The file name it was uploaded as. */
  filename: string;
  content_type: string;
  size: number;
  uploaded_at: string;
  /** When the payload bucket's lifecycle removes it (epoch seconds). */
  expires_at: number;
  /** Hex SHA-256 of the bytes, as the upload declared it (clients reuse an upload by it). */
  sha256?: string;
}

export interface PresignedUpload {
  method: 'PUT';
  url: string;
  /** Send exactly these headers: S3 refuses the upload otherwise. */
  headers: Record<string, string>;
}

export interface InputUpload {
  filename: string;
  contentType: string;
  size: number;
  /** Hex SHA-256 of the bytes, stored with the object when declared. */
  sha256?: string;
}

/** Each owner's uploaded inputs, under a prefix of the payload bucket of their own. */
export interface InputStore {
  /** A presigned upload that accepts only this object: its name, size and content type. */
  presignUpload(
    owner: string,
    name: string,
    upload: InputUpload,
    expiresInSeconds: number,
  ): Promise<PresignedUpload>;
  /** The owner's input of that name, or undefined (also for another owner's name). */
  find(owner: string, name: string): Promise<StoredInput | undefined>;
  /** Newest first. */
  list(
    owner: string,
    query: { limit: number; cursor?: string },
  ): Promise<{ inputs: StoredInput[]; cursor: string | null }>;
  /** Stores an input the control plane received itself (ComfyUI's POST /upload/image). */
  put(owner: string, name: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** False when the owner has no input of that name. */
  delete(owner: string, name: string): Promise<boolean>;
  /** The s3:// URI of an owner's input (what the container reads). */
  uriOf(owner: string, name: string): string;
  /** The s3:// prefix every input of the owner lives under (ends with '/'). */
  prefixOf(owner: string): string;
}

export interface AsyncInvocation {
  endpointName: string;
  inputLocation: string;
  inferenceId: string;
}

export interface AcceptedInvocation {
  inferenceId: string;
  outputLocation: string;
  failureLocation: string | null;
}

/**
 * SageMaker InvokeEndpointAsync. Implementations translate failures to EndpointNotFoundError,
 * InvocationRejectedError or InvocationUnavailableError.
 */
export interface AsyncInvoker {
  invoke(invocation: AsyncInvocation): Promise<AcceptedInvocation>;
}

export interface LogLine {
  timestamp: string;
  message: string;
  logStream: string;
}

export interface LogQuery {
  endpointName: string;
  promptId: string;
  from: Date;
  to: Date;
}

/** The endpoint's log lines that carry a prompt id. */
export interface LogSearch {
  search(query: LogQuery): Promise<{ lines: LogLine[]; complete: boolean }>;
}

export interface EndpointDescription {
  endpointName: string;
  status: string;
  creationTime: Date | null;
  lastModifiedTime: Date | null;
  currentInstanceCount: number;
  instanceType: string;
  failureReason: string;
}

export interface EndpointDirectory {
  describe(endpointName: string): Promise<EndpointDescription>;
}

/** The node catalog (`/object_info`) of each endpoint. */
export interface NodeCatalogSource {
  forEndpoint(endpointName: string): Promise<NodeCatalog>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}

export type Digest = (text: string) => string;

export type {
  ModelLibrary,
  ModelUploadStart,
  StoredModel,
  UploadedPart,
} from './models/model-library-ports';
