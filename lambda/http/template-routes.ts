import type { Route } from './route-table';

/** ESD's /schemas (templates), and a run by name, which CreateExecute's function serves. */
export const TEMPLATE_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/schemas',
    handler: 'templates',
    operationId: 'CreateSchema',
    summary: "Save a template: ESD's {name, payload, workflow}, with the parameters a run by name may set",
  },
  {
    method: 'GET',
    path: '/schemas',
    handler: 'templates',
    operationId: 'ListSchemas',
    summary: "The caller's templates by name, a page at a time",
  },
  {
    method: 'DELETE',
    path: '/schemas',
    handler: 'templates',
    operationId: 'DeleteSchemas',
    summary: "Delete the caller's templates named in schema_name_list (executes run from them are kept)",
  },
  {
    method: 'GET',
    path: '/schemas/{name}',
    handler: 'templates',
    operationId: 'GetSchema',
    summary:
      'One template, its parameters and their JSON Schema (types, ranges and choices from the endpoint)',
  },
  {
    method: 'PUT',
    path: '/schemas/{name}',
    handler: 'templates',
    operationId: 'UpdateSchema',
    summary: 'Change a template (executes already created from it keep their prompt)',
  },
  {
    method: 'POST',
    path: '/schemas/{name}/executes',
    handler: 'create-execute',
    operationId: 'RunSchema',
    summary: "Create an execute from a template by name, with its parameters' values",
  },
];
