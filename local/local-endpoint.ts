import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { CALLER_TOKEN_HEADER } from '../container/src/caller-token';
import type { AwsEmulator } from './aws-emulator/server';
import { comfyUiTarget } from './comfyui-target';
import { startEndpointContainer } from './endpoint-container-process';
import { freePort } from './free-port';
import type { Denial } from './iam-emulation/access-denied';
import { parseDenialLine } from './iam-emulation/denial-lines';
import { newPartToken } from './local-credentials';
import type { LocalStackOptions } from './local-stack-options';
import { BUCKET_NAME } from './local-storage';
import { forgetPublishedCatalog, waitForPublishedCatalog } from './published-catalog';

export const LOCAL_ENDPOINT_NAME = 'comfy-async-local';

/**
 * One endpoint of the local stack: its name, and the ComfyUI its container talks to (the
 * simulator unless a URL is given). Without environments there is one, `comfy-async-local`, on
 * the stack's own ComfyUI options; with them, one per environment, `comfy-async-{name}`, as
 * `cdk deploy` makes them.
 */
export interface LocalEndpointPlan {
  name: string;
  comfyui: Parameters<typeof comfyUiTarget>[0];
  /** The container's port and the token only the SageMaker emulator sends it. */
  port: number;
  headers: Record<string, string>;
}

export async function planLocalEndpoints(options: LocalStackOptions): Promise<LocalEndpointPlan[]> {
  const planned = options.environments?.length
    ? options.environments.map((environment) => ({
        name: `comfy-async-${environment.name}`,
        // An environment's own ComfyUI is another process: the container is told none of its folders.
        comfyui: {
          simStepMs: options.simStepMs,
          ...(environment.comfyuiUrl ? { comfyuiUrl: environment.comfyuiUrl } : {}),
          ...(environment.objectInfo ? { objectInfo: environment.objectInfo } : {}),
        },
      }))
    : [{ name: LOCAL_ENDPOINT_NAME, comfyui: options }];
  return Promise.all(
    planned.map(async (endpoint) => ({
      ...endpoint,
      port: await freePort(),
      headers: { [CALLER_TOKEN_HEADER]: newPartToken() },
    })),
  );
}

export interface StartedLocalEndpoint {
  comfyuiInputDir?: string;
  modelCacheDir?: string;
  stops: (() => Promise<void>)[];
}

/**
 * Starts an endpoint's ComfyUI (or finds the user's) and its container, sends the container's
 * lines to the endpoint's log group, and waits until its /object_info is published.
 */
export async function startLocalEndpoint(
  plan: LocalEndpointPlan,
  context: {
    options: LocalStackOptions;
    aws: AwsEmulator;
    s3: S3Client;
    env: NodeJS.ProcessEnv;
    dataPath(part: string): string | undefined;
    invocationTimeout: number;
    reportDenial(denial: Denial): void;
    log(part: string, line: string): void;
  },
): Promise<StartedLocalEndpoint> {
  const { log, dataPath } = context;
  const stops: (() => Promise<void>)[] = [];
  const folder = plan.name === LOCAL_ENDPOINT_NAME ? 'comfyui' : join('comfyui', plan.name);
  const comfyui = await comfyUiTarget(plan.comfyui, dataPath(folder), (part, line) =>
    log(part, plan.name === LOCAL_ENDPOINT_NAME ? line : `${plan.name}: ${line}`),
  );
  if (comfyui.stop) stops.push(comfyui.stop);
  await forgetPublishedCatalog(context.s3, BUCKET_NAME, plan.name);
  try {
    return await startContainerFor(plan, comfyui, context, folder, stops);
  } catch (error) {
    // With several environments, say which endpoint did not start, and on what.
    const where = plan.comfyui.comfyuiUrl ? ` (its ComfyUI: ${plan.comfyui.comfyuiUrl}; is it running?)` : '';
    throw new Error(`endpoint ${plan.name}${where}: ${(error as Error).message}`);
  }
}

async function startContainerFor(
  plan: LocalEndpointPlan,
  comfyui: Awaited<ReturnType<typeof comfyUiTarget>>,
  context: Parameters<typeof startLocalEndpoint>[1],
  folder: string,
  stops: (() => Promise<void>)[],
): Promise<StartedLocalEndpoint> {
  const { options, aws, log, dataPath } = context;
  const container = await startEndpointContainer({
    port: plan.port,
    headers: plan.headers,
    env: {
      ...context.env,
      LISTEN_HOST: '127.0.0.1',
      LOCAL_CALLER_TOKEN: plan.headers[CALLER_TOKEN_HEADER],
      COMFYUI_CALLER_TOKEN: comfyui.callerToken ?? '',
      COMFYUI_URL: comfyui.url,
      COMFYUI_INPUT_DIR: comfyui.inputDir ?? join(dataPath(folder) ?? tmpdir(), 'unreachable-input'),
      // '' tells the container it cannot see that folder: nothing is removed from it.
      COMFYUI_OUTPUT_DIR: comfyui.outputDir ?? '',
      COMFYUI_TEMP_DIR: comfyui.tempDir ?? '',
      ALLOW_LOOPBACK_INPUT_URLS: String(options.loopbackInputUrls === true),
      MODEL_CACHE_DIR: comfyui.modelCacheDir ?? join(dataPath(folder) ?? tmpdir(), 'model-cache'),
      MODEL_CACHE_BYTES: String(options.modelCacheBytes ?? 100 * 1024 ** 3),
      ENDPOINT_NAME: plan.name,
      COMFYUI_TIMEOUT_SECONDS: String(Math.max(1, Math.min(3540, context.invocationTimeout - 2))),
      POWERTOOLS_LOG_LEVEL: 'INFO',
      // One JSON object per line: GetExecuteLogs searches lines.
      POWERTOOLS_DEV: '',
    },
    onLine: (line) => {
      // The endpoint role's denials (local/iam-emulation/endpoint-role-preload.ts).
      const denial = parseDenialLine(line);
      if (denial) return context.reportDenial(denial);
      log('container', plan.name === LOCAL_ENDPOINT_NAME ? line : `${plan.name}: ${line}`);
      aws.logs.add({
        logGroup: `/aws/sagemaker/Endpoints/${plan.name}`,
        logStream: 'AllTraffic/local-instance/data-log',
        time: Date.now(),
        message: line,
      });
    },
  });
  stops.push(container.stop);
  const which = plan.name === LOCAL_ENDPOINT_NAME ? '' : `${plan.name}: `;
  log('container', `${which}endpoint container at ${container.url}`);
  await waitForPublishedCatalog(context.s3, BUCKET_NAME, plan.name);
  log('container', `${which}ComfyUI's /object_info published: CreateExecute validates against it`);
  return {
    ...(comfyui.inputDir !== undefined ? { comfyuiInputDir: comfyui.inputDir } : {}),
    ...(comfyui.modelCacheDir !== undefined ? { modelCacheDir: comfyui.modelCacheDir } : {}),
    stops,
  };
}
