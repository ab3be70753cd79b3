import type { EndpointDirectory } from '../domain/ports';

export interface ListEndpointsDeps {
  directory: EndpointDirectory;
  config: {
    endpointNames: readonly string[];
    minInstances: number;
    maxInstances: number;
    /** An environment endpoint's own `[min, max]` (environments/{name}.json); others use the two above. */
    scaling?: Readonly<Record<string, readonly [number, number]>>;
  };
  /** Stable UUID-shaped id for a name (ESD rows carry an EndpointDeploymentJobId). */
  idFor: (endpointName: string) => string;
}

/** One row of ESD's ListEndpoints (`ListEndpointsResponse`); instance counts are digit strings there. */
export interface EndpointRow {
  EndpointDeploymentJobId: string;
  endpoint_name: string;
  startTime: string | null;
  endTime: string | null;
  endpoint_status: string;
  autoscaling: boolean;
  owner_group_or_role: string[];
  current_instance_count: string;
  min_instance_number: string;
  max_instance_number: string;
  instance_type: string;
  endpoint_type: 'Async';
  custom_extensions: string;
  service_type: 'comfy';
  error: string;
}

/** ListEndpoints: the endpoints this deployment routes to, with their live status from SageMaker. */
export async function listEndpoints(
  deps: ListEndpointsDeps,
): Promise<{ endpoints: EndpointRow[]; last_evaluated_key: null }> {
  const endpoints = await Promise.all(
    deps.config.endpointNames.map(async (name): Promise<EndpointRow> => {
      const described = await deps.directory.describe(name);
      const own =
        deps.config.scaling && Object.hasOwn(deps.config.scaling, name)
          ? deps.config.scaling[name]
          : undefined;
      const [minInstances, maxInstances] = own ?? [deps.config.minInstances, deps.config.maxInstances];
      return {
        EndpointDeploymentJobId: deps.idFor(name),
        endpoint_name: name,
        startTime: described.creationTime?.toISOString() ?? null,
        endTime: described.lastModifiedTime?.toISOString() ?? null,
        endpoint_status: described.status,
        autoscaling: maxInstances > minInstances,
        owner_group_or_role: [],
        current_instance_count: String(described.currentInstanceCount),
        min_instance_number: String(minInstances),
        max_instance_number: String(maxInstances),
        instance_type: described.instanceType,
        endpoint_type: 'Async',
        custom_extensions: '',
        service_type: 'comfy',
        error: described.failureReason,
      };
    }),
  );
  return { endpoints, last_evaluated_key: null };
}
