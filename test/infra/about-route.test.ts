import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthFast } from './app-template';

process.env.CDK_VALIDATION = 'false';
let t: ReturnType<typeof synthFast>;
beforeAll(() => {
  t = synthFast();
});

/** Every logical id a value refers to (Ref, Fn::GetAtt, ${…} in Fn::Sub). */
function referencesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencesIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt')
        found.add(Array.isArray(inner) ? String(inner[0]) : String(inner).split('.')[0]!);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        for (const [, name] of String(text).matchAll(/\$\{([^}.!]+)/g)) found.add(name!);
        referencesIn(inner, found);
      } else referencesIn(inner, found);
    }
  }
  return found;
}

/** A cycle among the template's resources (references and DependsOn), or undefined. */
function findCycle(resources: Record<string, any>): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resources)) {
    const targets = new Set([
      ...referencesIn(resource.Properties),
      ...[resource.DependsOn ?? []].flat().map(String),
    ]);
    edges.set(
      id,
      [...targets].filter((target) => target in resources),
    );
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('GET /about in CDK', () => {
  it('is a method of the REST API, needing the key, served by the health function', () => {
    const methods = Object.values(t.controlPlane.findResources('AWS::ApiGateway::Method')) as any[];
    const about = methods.find((m) => m.Properties.OperationName === 'GetAbout');
    expect(about?.Properties).toMatchObject({ HttpMethod: 'GET', ApiKeyRequired: true });
    expect(JSON.stringify(about.Properties.Integration.Uri)).toMatch(/"HealthFunction[0-9A-F]+","Arn"/);
  });

  it("gives that function the websocket's and the console's URLs and the endpoints, from this stack", () => {
    const [id] = Object.keys(
      t.controlPlane.findResources('AWS::Lambda::Function', {
        Properties: {
          Environment: {
            Variables: Match.objectLike({
              ENDPOINT_NAMES: 'comfy-async-main',
              COMFYUI_WEBSOCKET_URL: Match.anyValue(),
              CONSOLE_URL: Match.anyValue(),
            }),
          },
        },
      }),
    ).filter((name) => name.startsWith('HealthFunction'));
    expect(id).toBeDefined();
    const variables = (t.controlPlane.toJSON().Resources[id!] as any).Properties.Environment.Variables;
    expect(JSON.stringify(variables.COMFYUI_WEBSOCKET_URL)).toMatch(
      /wss:\/\/.*"Ref":"ComfyUiSocketApi[0-9A-F]+"/,
    );
    expect(JSON.stringify(variables.CONSOLE_URL)).toMatch(
      /"https:\/\/",\{"Fn::GetAtt":\["ConsoleDistribution[0-9A-F]+","DomainName"\]\},"\/"/,
    );
  });

  it('leaves no circular dependency in the control-plane stack (the console names the API, /about the console)', () => {
    expect(findCycle(t.controlPlane.toJSON().Resources)).toBeUndefined();
  });

  it('and the cycle check does find one', () => {
    expect(
      findCycle({ A: { Properties: { x: { Ref: 'B' } } }, B: { DependsOn: ['A'] }, C: { Properties: {} } }),
    ).toEqual(['A', 'B', 'A']);
  });
});
