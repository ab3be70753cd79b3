import type { Server } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsEmulator } from './aws-emulator/server';
import type { LocalCredentials } from './local-credentials';
import type { WebhookRetrySettings } from './stream-consumers';
import type { ThrottleSettings } from './usage-plan-throttle';

/** What `startLocalStack` (`npm start`, the e2e tests, the bench) is configured with. */
export interface LocalStackOptions {
  /** API port; 0 picks a free one. */
  port?: number;
  /** A server already listening on the API port (npm start binds it first); `port` is then unused. */
  apiServer?: Server;
  /** API key values; each is its own owner. */
  apiKeys: string[];
  /**
   * The AWS key pair every part (DynamoDB, S3, the SageMaker/SQS/Secrets Manager emulator) checks
   * each request's signature against, and the handlers and container sign with. `npm start` makes
   * one per run. @default the test suite's fixed pair (S3RVER), which tests and the bench sign with
   */
  credentials?: LocalCredentials;
  /** A real ComfyUI; default: the simulator. */
  comfyuiUrl?: string;
  /**
   * The real ComfyUI's input folder, when the container can write to it (the same machine): each
   * execute's files are written there. Unset: they go through that ComfyUI's POST /upload/image.
   */
  comfyuiInputDir?: string;
  /** The real ComfyUI's output and temp folders (the container removes each execute's files); unset: nothing removed. */
  comfyuiOutputDir?: string;
  comfyuiTempDir?: string;
  /**
   * Where the container caches library models (a real ComfyUI must list it in extra_model_paths.yaml).
   * Unset with `comfyuiUrl`: none, and executes that need a library model fail, saying so.
   */
  modelCacheDir?: string;
  /**
   * Tests: the simulator stands for a ComfyUI on another machine: the container is told none of its
   * folders (input, output, temp, models), as with `comfyuiUrl` alone. @default false
   */
  comfyuiElsewhere?: boolean;
  /** The container's model cache budget. @default 100 GiB */
  modelCacheBytes?: number;
  /** API key values that may change the model library. @default the first of `apiKeys` */
  modelWriters?: string[];
  /** API key values that may read every key's usage (GET /usage `key`). @default the first of `apiKeys` */
  operatorKeys?: string[];
  /** GPU seconds a key (by value, or `*`) may use per UTC day (as gpuSecondsPerDay). @default none */
  gpuSecondsPerDay?: Record<string, number>;
  /** Price of an hour of each instance type (as pricePerHour); the local endpoints say ml.g5.xlarge. @default none */
  pricePerHour?: Record<string, number>;
  /** Preferred model upload part size. @default 64 MiB (S3's minimum is 5 MiB) */
  modelPartBytes?: number;
  /**
   * Let input URLs be `http://` and reach loopback (test servers on this machine). Off, as
   * deployed: any key could otherwise make the stack fetch from any service on the machine (its
   * own parts, a real ComfyUI's /view, another user's server) and receive the answer as its input.
   * @default false
   */
  loopbackInputUrls?: boolean;
  /** Node classes the local endpoint lets read or write server paths (comfy-exec:allowNodes). @default none */
  allowNodes?: string[];
  /** Executes a key may have created or running at once (as maxUnfinishedPerKey); 100 by default. */
  maxUnfinishedPerKey?: number;
  /** Creates a key may have holding their caller (`wait`) at once (as maxWaitingPerKey); 10 by default. */
  maxWaitingPerKey?: number;
  /** Websocket connections a key may hold open (as maxConnectionsPerKey); 20 by default. */
  maxConnectionsPerKey?: number;
  /** object_info file for the simulator and the node catalog. */
  objectInfo?: string;
  /**
   * Several environments, as `cdk deploy` makes them from environments/: one endpoint each,
   * `comfy-async-{name}` (the first is the default), each on a ComfyUI of its own: the simulator
   * (with `objectInfo`'s nodes if given) or the ComfyUI at `comfyuiUrl`. @default none: one
   * endpoint, comfy-async-local, on the stack's own ComfyUI options
   */
  environments?: LocalEnvironment[];
  simStepMs?: number;
  /** Persist DynamoDB and S3 (and the simulator's files) here; default: in memory. */
  dataDir?: string;
  requestTtlSeconds?: number;
  invocationTimeoutSeconds?: number;
  sweepIntervalMs?: number;
  sweepGraceSeconds?: number;
  /** Webhook retries (deployed: from 10 s, capped at an hour, for a day). */
  webhookRetry?: WebhookRetrySettings;
  /** The API's usage-plan throttle per key (the deployed stage: 50/s, burst 100); default none. */
  throttle?: ThrottleSettings;
  /** One line of one part's log. */
  log?(part: string, line: string): void;
  /**
   * The file `log` writes to (npm start keeps one beside its discovery file): the envelope's debug
   * links point at it instead of the AWS console. @default none: the links say `local:output`
   */
  logFile?: string;
}

/** A running local stack: where its parts answer, and how to stop them all. */
export interface LocalStack {
  apiUrl: string;
  /** ComfyUI's websocket: `ws://…/prod/comfyui/ws` (connect with `?clientId=` and the x-api-key header). */
  webSocketUrl: string;
  apiKeys: string[];
  aws: AwsEmulator;
  /** ComfyUI's input folder, where the container puts each execute's files (tests look inside). */
  comfyuiInputDir?: string;
  /** Where the container caches library models (tests look inside). */
  modelCacheDir?: string;
  /** The stack's S3 (s3rver) and its bucket, for tests that read what the API wrote. */
  s3: S3Client;
  /** The key pair every part checks signatures against, and the handlers and container sign with. */
  credentials: LocalCredentials;
  /** The fronts of DynamoDB Local and s3rver (their own ports answer the fronts only). */
  dynamoEndpoint: string;
  s3Endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

/** One environment of the local stack (ENVIRONMENTS=name[=URL or object_info file],…). */
export interface LocalEnvironment {
  name: string;
  comfyuiUrl?: string;
  objectInfo?: string;
}
