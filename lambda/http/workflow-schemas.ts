import { z } from 'zod';
import type { Operation } from './openapi';
import { envelopeSchema } from './response-schemas';

/** ESD's `Workflow` row (middleware_api/libs/data_types.py), with the endpoint it runs on. */
export const WorkflowSchema = z.object({
  name: z.string().describe('the environment: environments/{name}.json'),
  s3_location: z.string().describe("'' (ESD kept a workflow's files in S3; here the image holds them)"),
  image_uri: z.string().describe('the endpoint image built for this environment'),
  status: z
    .string()
    .describe(
      "ESD's 'Enabled' when the endpoint is InService; otherwise SageMaker's status (Creating, Failed, …)",
    ),
  payload_json: z
    .string()
    .describe("the environment file as deployed, as JSON text ('' when the files were too large to carry)"),
  size: z.string().describe("'' (the image's size is not known to the deployment)"),
  create_time: z.string().nullable().describe("the endpoint's creation time"),
  endpoint_name: z.string().describe('comfy-async-{name}: workflow_name routes there'),
  endpoint_status: z.string().describe("SageMaker's EndpointStatus"),
});

export const WorkflowListDataSchema = z.object({
  workflows: z.array(WorkflowSchema),
  last_evaluated_key: z.null(),
});

/** ESD's /workflows operations, for the OpenAPI document (lambda/http/openapi.ts). */
export const WORKFLOW_OPERATIONS: Record<string, Operation> = {
  ListWorkflows: {
    responses: {
      200: ['The deployed environments, newest first', envelopeSchema(200, WorkflowListDataSchema)],
    },
  },
  GetWorkflow: {
    responses: {
      200: ['The environment', envelopeSchema(200, WorkflowSchema)],
      404: ['No deployed environment of that name', envelopeSchema(404)],
    },
  },
  CreateWorkflow: {
    responses: {
      405: ['Creating one is a deploy: add environments/{name}.json and run cdk deploy', envelopeSchema(405)],
    },
  },
  DeleteWorkflows: {
    responses: { 405: ['Deleting one is a deploy: remove its file and run cdk deploy', envelopeSchema(405)] },
  },
};
