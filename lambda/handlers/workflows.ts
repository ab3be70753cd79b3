import { workflowsDeps } from '../platform/deployed-environments';
import { httpHandler } from '../platform/http-handler';
import { getWorkflow, listWorkflows, refuseWorkflowChange } from '../use-cases/list-workflows';

/**
 * GET /workflows, GET /workflows/{name} — ESD's ListWorkflows and GetWorkflow: the deployed
 * environments. POST and DELETE /workflows answer 405: creating or deleting one is a deploy.
 */
export const handler = httpHandler(async ({ event }) => {
  if (event.httpMethod !== 'GET') refuseWorkflowChange(event.httpMethod);
  const name = event.pathParameters?.name;
  const deps = workflowsDeps();
  return { statusCode: 200, data: name ? await getWorkflow(name, deps) : await listWorkflows(deps) };
});
