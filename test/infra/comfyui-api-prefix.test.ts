import { beforeAll, describe, expect, it } from 'vitest';
import { COMFYUI_FACADE_ROUTES } from '../../lambda/http/comfyui-route-table';
import { HANDLERS } from '../../lambda/http/route-table';
import { synthFast } from './app-template';

process.env.CDK_VALIDATION = 'false';
let template: ReturnType<typeof synthFast>['controlPlane'];
let resources: Record<string, any>;
let methods: any[];
beforeAll(() => {
  template = synthFast().controlPlane;
  resources = template.findResources('AWS::ApiGateway::Resource');
  methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
});

/** The path of an API Gateway resource id (a Ref to a Resource, or the API's root). */
function pathOf(id: unknown): string {
  const ref = (id as { Ref?: string }).Ref;
  if (!ref) return '';
  const { PathPart, ParentId } = resources[ref]!.Properties;
  return `${pathOf(ParentId)}/${PathPart}`;
}

const methodNamed = (operationName: string) =>
  methods.find((m) => m.Properties.OperationName === operationName);

describe("ComfyUI's /api prefix on the REST API", () => {
  it('serves each /comfyui/ route again under /comfyui/api/, keyed, through the same function', () => {
    for (const route of COMFYUI_FACADE_ROUTES) {
      const original = methodNamed(route.operationId);
      const alias = methodNamed(`${route.operationId}Api`);
      expect(alias, `${route.method} ${route.path} under /api`).toBeDefined();
      expect(pathOf(original.Properties.ResourceId)).toBe(route.path);
      expect(pathOf(alias.Properties.ResourceId)).toBe(route.path.replace('/comfyui/', '/comfyui/api/'));
      expect(alias.Properties.HttpMethod).toBe(route.method);
      expect(alias.Properties.ApiKeyRequired).toBe(true);
      expect(alias.Properties.Integration.Uri).toEqual(original.Properties.Integration.Uri);
      expect(alias.Properties.RequestParameters).toEqual(original.Properties.RequestParameters);
    }
  });

  it("stays well under API Gateway's 300 resources per REST API and CloudFormation's 500 per stack", () => {
    // 37 API Gateway resources before the /api aliases, 55 with them, 62 with /comfyui/token and
    // the browser-token views (/comfyui/t/{token}/view and /api/view), 67 with /schemas,
    // /schemas/{name} and /schemas/{name}/executes (ESD's templates and a run by name), 68 with
    // /usage (issue 31).
    expect(Object.keys(resources).length).toBeLessThanOrEqual(68);
    // Every REST function, the ComfyUI one among them, is invoked under one API-wide permission,
    // not one per method (the websocket API's three routes have their own).
    const perFunction = Object.values(template.findResources('AWS::Lambda::Permission')).filter((p: any) =>
      JSON.stringify(p.Properties.SourceArn ?? '').includes('/*/*/*'),
    );
    expect(perFunction).toHaveLength(HANDLERS.length);
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter((p: any) =>
      JSON.stringify(p.Properties.FunctionName).includes('ComfyuiApi'),
    );
    expect(permissions).toHaveLength(1);
    expect(JSON.stringify(permissions[0]!.Properties.SourceArn)).toContain('/*/*/*');
    // 443 with the templates function and /schemas (issue 29), 451 with GET /usage's function
    // (issue 31): 49 left under CloudFormation's 500.
    expect(Object.keys(template.toJSON().Resources).length).toBeLessThanOrEqual(451);
  });
});
