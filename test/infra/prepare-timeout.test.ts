import { beforeAll, describe, expect, it } from 'vitest';
import { synthFast } from './app-template';

let t: ReturnType<typeof synthFast>;
beforeAll(() => {
  t = synthFast();
});

describe("ESD's prepare in CDK", () => {
  it('lets a prepare of models over 5 GiB finish its parts after API Gateway has stopped waiting', () => {
    const functions = Object.entries(t.controlPlane.findResources('AWS::Lambda::Function')) as [
      string,
      any,
    ][];
    const timeoutOf = (prefix: string) =>
      functions.find(([id]) => id.startsWith(prefix))?.[1].Properties.Timeout as number | undefined;
    expect(timeoutOf('PrepareEndpoint')).toBe(900);
    // Every other route keeps API Gateway's 29 s.
    expect(timeoutOf('GetPrepare')).toBe(29);
    expect(timeoutOf('CreateExecute')).toBe(29);
  });
});
