import { describe, expect, it } from 'vitest';
import { readStageConfig } from '../../lib/config/stage-config';
import { synthFast } from './app-template';

const read = (value: unknown) =>
  readStageConfig((key) => (key === 'comfy-exec:allowNodes' ? value : undefined), ['comfy-exec:allowNodes']);

describe('comfy-exec:allowNodes: node classes that may read or write server paths, per endpoint', () => {
  it('allows none by default, and takes a JSON object (or that as a -c string)', () => {
    expect(readStageConfig(() => undefined).allowNodes).toEqual({});
    const wanted = { 'comfy-async-main': ['LoadImageDataSetFromFolder', 'Image Save'] };
    expect(read(wanted).allowNodes).toEqual(wanted);
    expect(read(JSON.stringify(wanted)).allowNodes).toEqual(wanted);
  });

  it.each([
    ['not JSON', '{main: [x]}', /comfy-exec:allowNodes.*not JSON/],
    ['a list, not an object by endpoint', '["LoadTrainingDataset"]', /comfy-exec:allowNodes/],
    ['a bad endpoint name', '{"bad_name!": ["X"]}', /comfy-exec:allowNodes.bad_name!: Invalid key/],
    ['a class name with a comma', '{"main": ["A,B"]}', /comfy-exec:allowNodes.*not a node class name/],
  ])('refuses %s', (_what, value, message) => {
    expect(() => read(value)).toThrow(message);
  });

  it("reaches CreateExecute and ComfyUI's POST /prompt as ALLOW_NODES", () => {
    const allowed = { 'comfy-async-main': ['LoadTrainingDataset'] };
    const t = synthFast({ 'comfy-exec:imageUri': 'x', 'comfy-exec:allowNodes': JSON.stringify(allowed) });
    const functions = Object.values(t.controlPlane.findResources('AWS::Lambda::Function')) as any[];
    const carrying = functions.filter((f) => f.Properties.Environment?.Variables?.ALLOW_NODES !== undefined);
    expect(carrying).toHaveLength(2);
    for (const f of carrying)
      expect(JSON.parse(f.Properties.Environment.Variables.ALLOW_NODES)).toEqual(allowed);
  });
});
