import type { EndpointSchedule } from '../constructs/async-endpoint';
import type { Environment } from './environments';
import { ContextError, type StageConfig } from './stage-config';

/** One environment's endpoint, as the inference stack makes it. */
export interface EnvironmentEndpoint {
  environment: string;
  /** ESD's name for a workflow's endpoint. */
  endpointName: string;
  instanceType: string;
  minInstances: number;
  maxInstances: number;
  maxConcurrentInvocationsPerInstance: number;
  schedules: EndpointSchedule[];
  /** The image build's arguments: the environment to install, and its ComfyUI when it pins one. */
  buildArgs: Record<string, string>;
  /** The file as read (defaults filled), minified: GET /workflows answers it as payload_json. */
  fileJson: string;
  /** Its models' s3:// sources outside the library (the role reads them); undefined: no models. */
  modelSources?: string[];
}

/**
 * One endpoint per environment, `comfy-async-{name}`, the default first (the file marked
 * `"default": true`, else the first by name). What an environment's `endpoint` leaves out comes
 * from today's context keys (instanceType, minInstances, maxInstances,
 * maxConcurrentInvocationsPerInstance). No environments: none (today's single endpoint).
 */
export function environmentEndpoints(
  environments: Environment[],
  config: StageConfig,
): EnvironmentEndpoint[] {
  if (environments.length === 0) return [];
  if (config.existingEndpointName)
    throw new ContextError(
      'existingEndpointName routes to an endpoint made elsewhere, and environments/ makes one per environment: use one or the other',
    );
  if (config.imageUri)
    throw new ContextError(
      'imageUri names one image for the endpoint, and environments/ builds one per environment: use one or the other',
    );
  const defaults = environments.filter((environment) => environment.default);
  if (defaults.length > 1)
    throw new ContextError(
      `environments/${defaults[1]!.name}.json: default: environments/${defaults[0]!.name}.json is the default already (only one may be)`,
    );
  const ordered = [...defaults, ...environments.filter((environment) => !environment.default)];
  return ordered.map((environment) => {
    const { endpoint } = environment;
    const minInstances = endpoint.min_instances ?? config.minInstances;
    const maxInstances = endpoint.max_instances ?? Math.max(config.maxInstances, minInstances);
    if (minInstances > maxInstances)
      throw new ContextError(
        `environments/${environment.name}.json: endpoint.min_instances (${minInstances}) is more than the maximum (${maxInstances}, from maxInstances)`,
      );
    return {
      environment: environment.name,
      endpointName: `comfy-async-${environment.name}`,
      instanceType: endpoint.instance_type ?? config.instanceType,
      minInstances,
      maxInstances,
      maxConcurrentInvocationsPerInstance: endpoint.concurrency ?? config.maxConcurrentInvocationsPerInstance,
      schedules: (endpoint.schedules ?? []).map((schedule) => ({
        cron: schedule.cron,
        ...(schedule.timezone ? { timezone: schedule.timezone } : {}),
        ...(schedule.min_instances !== undefined ? { minInstances: schedule.min_instances } : {}),
        ...(schedule.max_instances !== undefined ? { maxInstances: schedule.max_instances } : {}),
      })),
      ...(environment.models.length > 0
        ? {
            modelSources: environment.models
              .map((model) => model.source)
              .filter((source) => source.startsWith('s3://')),
          }
        : {}),
      fileJson: JSON.stringify((({ name: _name, ...file }) => file)(environment)),
      buildArgs: {
        ENVIRONMENT: environment.name,
        ...(environment.comfyui ? { COMFYUI_VERSION: environment.comfyui } : {}),
      },
    };
  });
}
