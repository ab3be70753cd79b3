import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ComfyExecClient, type OPERATIONS } from '../../client/src/index';
import { generateClientTypes } from '../../scripts/client-types/generate';

const ROOT = join(import.meta.dirname, '../..');

type FacadeOperation = Extract<keyof typeof OPERATIONS, `Comfy${string}`>;
/** Operations that only answer 405 (creating or deleting an environment is a deploy): no method. */
type RefusedOperation = 'CreateWorkflow' | 'DeleteWorkflows';
const REFUSED: readonly string[] = ['CreateWorkflow', 'DeleteWorkflows'] satisfies RefusedOperation[];

/**
 * The client method that calls each operation of the API; the /comfyui/ routes are ComfyUI's
 * protocol, for ComfyUI's own clients, and have none.
 */
const METHOD_OF: Record<
  Exclude<keyof typeof OPERATIONS, FacadeOperation | RefusedOperation>,
  keyof ComfyExecClient | `templates.${keyof ComfyExecClient['templates']}`
> = {
  CreateExecute: 'create',
  ListExecutes: 'list',
  DeleteExecutes: 'delete',
  GetExecute: 'get',
  CancelExecute: 'cancel',
  GetExecuteLogs: 'logs',
  CreateInput: 'uploadInput',
  ListInputs: 'listInputs',
  DeleteInput: 'deleteInput',
  StartModelUpload: 'uploadModel',
  ListModels: 'listModels',
  GetModel: 'getModel',
  CompleteModelUpload: 'uploadModel',
  DeleteModel: 'deleteModel',
  PrepareEndpoint: 'prepare',
  GetPrepare: 'prepareStatus',
  ListEndpoints: 'endpoints',
  ListWorkflows: 'workflows',
  GetUsage: 'usage',
  GetWorkflow: 'workflow',
  GetWebhookSecret: 'webhookSecret',
  RotateWebhookSecret: 'rotateWebhookSecret',
  RootAPI: 'ping',
  Ping: 'ping',
  GetAbout: 'about',
  GetApiOAS: 'apiDocument',
  CreateSchema: 'templates.save',
  ListSchemas: 'templates.list',
  GetSchema: 'templates.get',
  UpdateSchema: 'templates.update',
  DeleteSchemas: 'templates.delete',
  RunSchema: 'templates.run',
};

/** The client's function a METHOD_OF entry names (`templates.save` is a method of `client.templates`). */
function methodOf(client: ComfyExecClient, path: string): unknown {
  const [first, second] = path.split('.') as [string, string | undefined];
  const owner = client as unknown as Record<string, Record<string, unknown>>;
  return second === undefined ? owner[first] : owner[first]?.[second];
}

describe('the client follows the OpenAPI document', () => {
  it('has types generated from the document as it is now (npm run client-types)', async () => {
    const committed = readFileSync(join(ROOT, 'client/src/generated/api-types.ts'), 'utf8');
    expect(committed).toBe(await generateClientTypes());
  });

  it('has a method for every operation the document lists', () => {
    const document = JSON.parse(readFileSync(join(ROOT, 'lambda/http/openapi.json'), 'utf8'));
    const operations = Object.values(
      document.paths as Record<string, Record<string, { operationId: string }>>,
    )
      .flatMap((methods) => Object.values(methods))
      .map((operation) => operation.operationId);
    expect(Object.keys(METHOD_OF).sort()).toEqual(
      operations.filter((id) => !id.startsWith('Comfy') && !REFUSED.includes(id)).sort(),
    );
    const client = new ComfyExecClient({ apiUrl: 'https://x.example/prod/', apiKey: 'k' });
    for (const method of Object.values(METHOD_OF))
      expect(typeof methodOf(client, method), method).toBe('function');
  });
});

describe('the client core runs in a browser', () => {
  it('bundles for the browser platform with no Node built-in reached', () => {
    const result = buildSync({
      entryPoints: [join(ROOT, 'client/src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(
      inputs.filter((input) => input.startsWith('node:') || input.includes('/node_modules/node:')),
    ).toEqual([]);
    const imports = Object.values(result.metafile.inputs).flatMap((input) =>
      input.imports.map((i) => i.path),
    );
    expect(imports.filter((path) => path.startsWith('node:'))).toEqual([]);
    expect(inputs.some((input) => input.includes('client/src/node/'))).toBe(false);
  });
});
