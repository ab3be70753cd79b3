import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { SageMakerEndpointDirectory } from '../adapters/sagemaker-endpoint-directory';
import { lazySchema } from '../http/lazy-schema';
import type { ListEndpointsDeps } from '../use-cases/list-endpoints';
import type { DeployedWorkflow, ListWorkflowsDeps } from '../use-cases/list-workflows';
import { sageMakerClient } from './clients';
import { functionEnv } from './env';

/**
 * The deployment's endpoints and environments, as ListEndpoints and ESD's /workflows answer them
 * (the CDK app writes ENDPOINT_NAMES, ENDPOINT_SCALING and WORKFLOWS).
 */

// Built on first parse, not while the function loads (lambda/http/lazy-schema.ts).
const Workflows = lazySchema(() =>
  z.array(
    z.object({
      name: z.string(),
      endpoint_name: z.string(),
      image_uri: z.string(),
      payload_json: z.string(),
    }),
  ),
);
const Scaling = lazySchema(() => z.record(z.string(), z.tuple([z.number(), z.number()])));

/** WORKFLOWS: the deployment's environments, as the CDK app (or npm start) wrote them. */
function parseWorkflows(text: string): DeployedWorkflow[] {
  return z.parse(Workflows(), JSON.parse(text));
}

/** ENDPOINT_SCALING: each environment endpoint's own `[min, max]` instances. */
function parseEndpointScaling(text: string): Record<string, [number, number]> {
  return z.parse(Scaling(), JSON.parse(text));
}

/** A stable UUID-shaped id per endpoint name, for ESD's EndpointDeploymentJobId column. */
function endpointJobId(name: string): string {
  const hex = createHash('sha256').update(`endpoint:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function listEndpointsDeps(): ListEndpointsDeps {
  const env = functionEnv('list-endpoints');
  return {
    directory: new SageMakerEndpointDirectory(sageMakerClient({ region: env.AWS_REGION })),
    config: {
      endpointNames: env.ENDPOINT_NAMES,
      minInstances: env.MIN_INSTANCES,
      maxInstances: env.MAX_INSTANCES,
      scaling: parseEndpointScaling(env.ENDPOINT_SCALING),
    },
    idFor: endpointJobId,
  };
}

export function workflowsDeps(): ListWorkflowsDeps {
  const env = functionEnv('workflows');
  return {
    directory: new SageMakerEndpointDirectory(sageMakerClient({ region: env.AWS_REGION })),
    workflows: parseWorkflows(env.WORKFLOWS),
  };
}
