import { z } from 'zod';

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** The container's environment; the Dockerfile and the CDK model set these. */
export const ContainerEnvSchema = z.object({
  /** SageMaker calls /ping and /invocations here (0: any free port, for tests). */
  PORT: int(0, 65_535, 8080),
  /** ComfyUI, on loopback inside the image. */
  COMFYUI_URL: z.url().default('http://127.0.0.1:8188'),
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1),
  AWS_REGION: z.string().default('us-east-1'),
  /** Name of the endpoint this container serves; object_info is published under it. */
  ENDPOINT_NAME: z.string().default(''),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** At most one progress write per this many ms. */
  PROGRESS_WRITE_INTERVAL_MS: int(100, 60_000, 1000),
  /** How often a running execute's record is read for cancel_requested. */
  CANCEL_POLL_MS: int(50, 60_000, 1000),
  /** Longest a prompt may run in ComfyUI; below SageMaker's InvocationTimeoutSeconds so we answer first. */
  COMFYUI_TIMEOUT_SECONDS: int(1, 3600, 3540),
  /** Longest a single HTTP call to ComfyUI may take. */
  COMFYUI_REQUEST_TIMEOUT_MS: int(100, 600_000, 30_000),
  /**
   * ComfyUI's input folder: each execute's files go to comfy-exec/{prompt_id}/ below it. '' for a
   * ComfyUI whose folders this container cannot see (another machine): the files then go through
   * ComfyUI's POST /upload/image into that same subfolder, and are emptied after the run.
   */
  COMFYUI_INPUT_DIR: z.string().default('/opt/ComfyUI/input'),
  /**
   * ComfyUI's output and temp folders: each execute's files are removed from them once it ends
   * (those in S3 when an upload fails). '' for a ComfyUI whose folders this container cannot see
   * (nothing is removed then).
   */
  COMFYUI_OUTPUT_DIR: z.string().default('/opt/ComfyUI/output'),
  COMFYUI_TEMP_DIR: z.string().default('/opt/ComfyUI/temp'),
  /**
   * Files older than this in output/, temp/ and input/comfy-exec/ are removed by a periodic sweep:
   * no execute runs longer (SageMaker's invocation timeout is at most 3600 s).
   */
  OUTPUT_SWEEP_AGE_SECONDS: int(1, 7 * 24 * 3600, 3600),
  /** How often that sweep runs. */
  OUTPUT_SWEEP_INTERVAL_SECONDS: int(1, 24 * 3600, 300),
  /** Largest input file fetched (URL or S3). */
  INPUT_MAX_BYTES: int(1, 50 * 1024 ** 3, 2 * 1024 ** 3),
  /** Longest one input URL may take to download. */
  INPUT_FETCH_TIMEOUT_SECONDS: int(1, 3600, 300),
  /**
   * Where library models are cached (extra_model_paths.yaml lists it for ComfyUI). '' when there is
   * no folder both this container and ComfyUI see: executes that need a library model fail, saying so.
   */
  MODEL_CACHE_DIR: z.string().default('/opt/ml/model-cache'),
  /**
   * The environment the image was built for (Dockerfile `--build-arg ENVIRONMENT`): its file's
   * `models` are made present before /ping passes. '' : none.
   */
  COMFY_EXEC_ENVIRONMENT: z.string().default(''),
  ENVIRONMENTS_DIR: z.string().default('/opt/comfy-exec/environments'),
  /** The first wait before trying the environment's models again (then three times as long). */
  MODEL_PRELOAD_RETRY_MS: int(1, 600_000, 10_000),
  /** Most bytes of library models kept on disk; least recently used go first. */
  MODEL_CACHE_BYTES: int(1, 100 * 1024 ** 4, 100 * 1024 ** 3),
  /** Where the server listens: every interface, as SageMaker calls it; the local stack says 127.0.0.1. */
  LISTEN_HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Local stack only: every request must carry this in x-comfy-exec-caller-token (its SageMaker
   * emulator sends it), since any user of the machine can reach loopback. '' or unset: no check.
   */
  LOCAL_CALLER_TOKEN: z
    .string()
    .default('')
    .transform((v) => v || undefined),
  /** Local stack only: sent to ComfyUI in that header on every call (its simulator wants it). */
  COMFYUI_CALLER_TOKEN: z
    .string()
    .default('')
    .transform((v) => v || undefined),
  /** Local stack only: http:// and loopback input URLs (test servers on this machine). */
  ALLOW_LOOPBACK_INPUT_URLS: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
});
export type ContainerConfig = z.infer<typeof ContainerEnvSchema>;

export function containerConfig(source: Record<string, string | undefined> = process.env): ContainerConfig {
  const parsed = ContainerEnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(
      `container environment is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
