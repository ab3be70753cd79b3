import type { RoutedEndpoint } from '../stacks/inference-stack';

/**
 * A Lambda function's environment holds at most 4 KB in all: the environment files travel in it
 * only while they fit this budget; past it GET /workflows answers their payload_json as ''.
 */
export const WORKFLOW_FILES_BUDGET = 2_048;

/** WORKFLOWS for GET /workflows: each environment's name, endpoint, image and file. */
export function deployedWorkflows(endpoints: readonly RoutedEndpoint[]): string {
  const environments = endpoints.flatMap((endpoint) =>
    endpoint.environment ? [{ endpoint: endpoint.name, ...endpoint.environment }] : [],
  );
  const filesFit =
    environments.reduce((total, environment) => total + environment.fileJson.length, 0) <=
    WORKFLOW_FILES_BUDGET;
  return JSON.stringify(
    environments.map((environment) => ({
      name: environment.name,
      endpoint_name: environment.endpoint,
      image_uri: environment.imageUri,
      payload_json: filesFit ? environment.fileJson : '',
    })),
  );
}

/** ENDPOINT_SCALING for ListEndpoints: each environment endpoint's own `[min, max]`. */
export function endpointScaling(endpoints: readonly RoutedEndpoint[]): string {
  return JSON.stringify(
    Object.fromEntries(
      endpoints.flatMap((endpoint) =>
        endpoint.environment
          ? [[endpoint.name, [endpoint.environment.minInstances, endpoint.environment.maxInstances]]]
          : [],
      ),
    ),
  );
}
