import * as z from 'zod/mini';
import type { DeployedWorkflow } from '../use-cases/list-workflows';

const Workflows = z.array(
  z.object({ name: z.string(), endpoint_name: z.string(), image_uri: z.string(), payload_json: z.string() }),
);
const Scaling = z.record(z.string(), z.tuple([z.number(), z.number()]));

/** WORKFLOWS: the deployment's environments, as the CDK app (or npm start) wrote them. */
export function parseWorkflows(text: string): DeployedWorkflow[] {
  return z.parse(Workflows, JSON.parse(text));
}

/** ENDPOINT_SCALING: each environment endpoint's own `[min, max]` instances. */
export function parseEndpointScaling(text: string): Record<string, [number, number]> {
  return z.parse(Scaling, JSON.parse(text));
}
