/** What GET /about answers: everything a client needs beyond the API URL and its key. */
export interface DeploymentDescription {
  /** comfy-exec's own version (package.json). */
  version: string;
  /** ESD's API version this deployment speaks (the `x-api-version` header). */
  api_version: string;
  region: string;
  /** ComfyUI's websocket; null when the deployment has none. */
  websocket_url: string | null;
  /** The web console; null when the deployment has none. */
  console_url: string | null;
  /** Where executes run when they name no endpoint. */
  endpoints_default: string;
  /** Each routable endpoint with a link to its container's logs (what an operator opens first). */
  endpoints: { endpoint_name: string; log_url: string }[];
}

export interface DescribeDeploymentDeps {
  config: {
    version: string;
    apiVersion: string;
    region: string;
    websocketUrl?: string;
    consoleUrl?: string;
    endpointNames: readonly string[];
    defaultEndpointName?: string;
  };
  /** The console link of a CloudWatch log group (its domain differs per partition). */
  logGroupUrl(logGroupName: string): string;
}

/**
 * The stack outputs a client would otherwise have to be handed one by one, from the API itself:
 * an operator gives a tool the API URL and key, and the tool finds the rest here.
 */
export function describeDeployment(deps: DescribeDeploymentDeps): DeploymentDescription {
  const { config } = deps;
  return {
    version: config.version,
    api_version: config.apiVersion,
    region: config.region,
    websocket_url: config.websocketUrl ?? null,
    console_url: config.consoleUrl ?? null,
    endpoints_default: config.defaultEndpointName ?? config.endpointNames[0]!,
    endpoints: config.endpointNames.map((name) => ({
      endpoint_name: name,
      // SageMaker writes an endpoint's container output to this group.
      log_url: deps.logGroupUrl(`/aws/sagemaker/Endpoints/${name}`),
    })),
  };
}
