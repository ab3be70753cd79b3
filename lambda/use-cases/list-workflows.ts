import { DeployOnlyError, WorkflowNotFoundError } from '../domain/errors';
import type { EndpointDirectory } from '../domain/ports';

/** A deployed environment, as the CDK app tells the function (environments/{name}.json). */
export interface DeployedWorkflow {
  name: string;
  endpoint_name: string;
  image_uri: string;
  /** The environment file, minified ('' when the deployment's files were too large to carry). */
  payload_json: string;
}

export interface ListWorkflowsDeps {
  directory: EndpointDirectory;
  workflows: readonly DeployedWorkflow[];
}

/** ESD's `Workflow` row, with the endpoint it runs on and SageMaker's own status beside ESD's. */
export interface WorkflowRow {
  name: string;
  s3_location: string;
  image_uri: string;
  /** ESD's `Enabled` when the endpoint is InService; otherwise SageMaker's status (Creating, Failed, …). */
  status: string;
  payload_json: string;
  size: string;
  create_time: string | null;
  endpoint_name: string;
  endpoint_status: string;
}

async function rowOf(workflow: DeployedWorkflow, deps: ListWorkflowsDeps): Promise<WorkflowRow> {
  const described = await deps.directory.describe(workflow.endpoint_name);
  return {
    name: workflow.name,
    // ESD kept each workflow's files under comfy/workflows/{name}/; here the image holds them.
    s3_location: '',
    image_uri: workflow.image_uri,
    status: described.status === 'InService' ? 'Enabled' : described.status,
    payload_json: workflow.payload_json,
    // The image's size is known to ECR after the push, not to the deployment.
    size: '',
    create_time: described.creationTime?.toISOString() ?? null,
    endpoint_name: workflow.endpoint_name,
    endpoint_status: described.status,
  };
}

/** ListWorkflows: every deployed environment, newest endpoint first (ESD sorts by create_time). */
export async function listWorkflows(
  deps: ListWorkflowsDeps,
): Promise<{ workflows: WorkflowRow[]; last_evaluated_key: null }> {
  const rows = await Promise.all(deps.workflows.map((workflow) => rowOf(workflow, deps)));
  rows.sort((a, b) => (b.create_time ?? '').localeCompare(a.create_time ?? ''));
  return { workflows: rows, last_evaluated_key: null };
}

/** GetWorkflow: one deployed environment by name (ESD's 404 text when there is none). */
export async function getWorkflow(name: string, deps: ListWorkflowsDeps): Promise<WorkflowRow> {
  const workflow = deps.workflows.find((candidate) => candidate.name === name);
  if (!workflow) throw new WorkflowNotFoundError(`workflow with name ${name} not found`);
  return rowOf(workflow, deps);
}

/** CreateWorkflow and DeleteWorkflows: an environment is a file of the deployment, changed by a deploy. */
export function refuseWorkflowChange(method: string): never {
  throw new DeployOnlyError(
    `${method === 'POST' ? 'creating' : 'deleting'} a workflow is a deploy here: ${method === 'POST' ? 'add' : 'remove'} environments/{name}.json in the deployment's repository and run cdk deploy (comfy-exec env from-workflow writes one from a workflow)`,
  );
}
