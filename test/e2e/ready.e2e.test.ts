import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import coreObjectInfo from '../../lambda/catalog/core-object-info.json';
import { startLocalStack } from '../../local/local-stack';
import { api, KEY_A } from './local-api';

const scratch = mkdtempSync(join(tmpdir(), 'comfy-exec-ready-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The core nodes plus one custom output node the bundled core catalog does not know. */
function objectInfoWithProbeNode(): string {
  const path = join(scratch, 'object_info.json');
  const probe = {
    input: { required: {} },
    input_order: { required: [] },
    output: [],
    output_is_list: [],
    output_name: [],
    name: 'ReadyProbeNode',
    display_name: 'Ready probe',
    description: '',
    python_module: 'custom_nodes.probe',
    category: 'test',
    output_node: true,
  };
  writeFileSync(path, JSON.stringify({ ...coreObjectInfo, ReadyProbeNode: probe }));
  return path;
}

const probePrompt = { '1': { class_type: 'ReadyProbeNode', inputs: {} } };

describe('"Ready." means ready', () => {
  it("validates the very first request against the endpoint's own catalog, not the bundled core one", async () => {
    const stack = await startLocalStack({
      port: 0,
      apiKeys: [KEY_A],
      objectInfo: objectInfoWithProbeNode(),
      // A custom node runs only where the operator allows its class.
      allowNodes: ['ReadyProbeNode'],
    });
    try {
      // No wait: the stack is ready when startLocalStack returns (npm start prints "Ready." then).
      const answer = await api(stack, 'POST', 'executes', { body: { prompt: probePrompt, dry_run: true } });
      expect(answer.status).toBe(200);
    } finally {
      await stack.stop();
    }
  });
});
