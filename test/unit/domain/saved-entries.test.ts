import { describe, expect, it } from 'vitest';
import { WorkflowConversionError } from '../../../lambda/domain/workflow/conversion-error';
import { convertWorkflowWithWarnings } from '../../../lambda/domain/workflow/convert-workflow';
import { corpusCatalog, corpusPairs } from '../../fixtures/corpus-pairs';

/** Issue 26: shapes older saves take that ComfyUI's editor still loads, on real exports. */
const catalog = corpusCatalog();
const pairs = corpusPairs().filter((pair) => {
  try {
    convertWorkflowWithWarnings(pair.workflow, catalog);
    return true;
  } catch {
    return false;
  }
});

describe("entries of a saved workflow that are not what they say, as the editor's loader takes them", () => {
  it('skips link entries that are not links (null, as LiteGraph skips them), converting the same prompt, and warns', () => {
    expect(pairs.length).toBeGreaterThan(30);
    for (const pair of pairs) {
      const clean = convertWorkflowWithWarnings(pair.workflow, catalog);
      const damaged = structuredClone(pair.workflow);
      damaged.links.splice(1, 0, null);
      damaged.links.push(null, [1, 2]);
      const converted = convertWorkflowWithWarnings(damaged, catalog);
      expect(converted.prompt, pair.name).toEqual(clean.prompt);
      expect(converted.warnings[0], pair.name).toBe(
        "3 entries of the workflow's links are not a link (e.g. null) and were skipped, as ComfyUI's editor skips them",
      );
    }
  });

  it('refuses a node entry that is not a node, naming its place', () => {
    const damaged = structuredClone(pairs[0]!.workflow);
    damaged.nodes.splice(2, 0, null);
    expect(() => convertWorkflowWithWarnings(damaged, catalog)).toThrow(WorkflowConversionError);
    expect(() => convertWorkflowWithWarnings(damaged, catalog)).toThrow(
      'nodes[2] is not a node (it needs an "id" and a "type")',
    );
  });
});
