import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPromptStructure, describeFailure, findCycles } from '../../../lambda/domain/prompt-graph';
import { CORPUS_DIR, corpusApiPrompts, txt2imgPrompt } from '../../fixtures/prompts';

describe('checkPromptStructure', () => {
  it('accepts a sound API prompt', () => {
    expect(checkPromptStructure(txt2imgPrompt())).toBeUndefined();
  });

  it.each(corpusApiPrompts())('accepts the real API prompt $name', ({ prompt }) => {
    expect(checkPromptStructure(prompt)).toBeUndefined();
  });

  it('accepts every api.json of the UI↔API pairs', () => {
    const pairs = readdirSync(join(CORPUS_DIR, 'pairs')).filter((name) => /^\d+$/.test(name));
    expect(pairs.length).toBeGreaterThan(0);
    for (const pair of pairs) {
      const prompt = JSON.parse(readFileSync(join(CORPUS_DIR, 'pairs', pair, 'api.json'), 'utf8'));
      expect(checkPromptStructure(prompt), pair).toBeUndefined();
    }
  });

  it('rejects an empty or non-object prompt with no_prompt', () => {
    expect(checkPromptStructure({})?.error.type).toBe('no_prompt');
    expect(checkPromptStructure([1, 2])?.error.type).toBe('no_prompt');
    expect(checkPromptStructure('graph')?.error.type).toBe('no_prompt');
  });

  it('reports a node without class_type as missing_node_type, naming it by title', () => {
    const prompt = {
      ...txt2imgPrompt(),
      '9': { inputs: { images: ['8', 0] }, _meta: { title: 'Save Image' } },
    };
    const failure = checkPromptStructure(prompt)!;
    expect(failure.error.type).toBe('missing_node_type');
    expect(failure.error.message).toContain("Node 'Save Image' has no class_type");
    expect(failure.node_errors['9']!.errors[0]!.extra_info).toMatchObject({
      node_id: '9',
      node_title: 'Save Image',
    });
  });

  it('rejects a UI-format workflow (nodes/links) as a prompt with missing class_type', () => {
    const ui = JSON.parse(
      readFileSync(
        join(
          CORPUS_DIR,
          'pairs',
          readdirSync(join(CORPUS_DIR, 'pairs')).find((n) => /^\d+$/.test(n))!,
          'workflow.json',
        ),
        'utf8',
      ),
    );
    const failure = checkPromptStructure(ui)!;
    expect(failure.error.type).toBe('missing_node_type');
  });

  it('reports bad links with ComfyUI node_errors and the input name', () => {
    const prompt = txt2imgPrompt();
    (prompt['3'] as any).inputs.model = ['99', 0];
    (prompt['3'] as any).inputs.positive = ['6', '0'];
    (prompt['8'] as any).inputs.vae = ['4', 2, 1];
    (prompt['6'] as any).inputs.clip = [4, 1];
    const failure = checkPromptStructure(prompt)!;
    expect(failure.error.type).toBe('prompt_outputs_failed_validation');
    expect(failure.error.message).toBe('Prompt outputs failed validation');
    const errors3 = failure.node_errors['3']!;
    expect(errors3.class_type).toBe('KSampler');
    expect(errors3.errors.map((e) => e.type)).toEqual(['bad_linked_input', 'bad_linked_input']);
    expect(errors3.errors[0]!.details).toBe("model: linked node '99' does not exist in the prompt");
    expect(errors3.errors[1]!.details).toContain('output index "0" must be a non-negative integer');
    expect(errors3.errors[0]!.extra_info).toEqual({ input_name: 'model', received_value: ['99', 0] });
    expect(failure.node_errors['8']!.errors[0]!.details).toContain('list of 3');
    expect(failure.node_errors['6']!.errors[0]!.details).toContain('node id 4 must be a string');
    expect(failure.error.details.split('\n')).toHaveLength(4);
  });

  it('accepts literal lists wrapped as {__value__: [...]}', () => {
    const prompt = {
      ...txt2imgPrompt(),
      '10': { class_type: 'Custom', inputs: { values: { __value__: [1, 2, 3] } } },
    };
    expect(checkPromptStructure(prompt)).toBeUndefined();
  });

  it('rejects nodes whose inputs are not an object', () => {
    const failure = checkPromptStructure({ '1': { class_type: 'SaveImage', inputs: [] } })!;
    expect(failure.node_errors['1']!.errors[0]!.type).toBe('invalid_prompt');
  });

  it('finds dependency cycles and names the path', () => {
    const prompt = {
      '1': { class_type: 'A', inputs: { x: ['3', 0] } },
      '2': { class_type: 'B', inputs: { x: ['1', 0] } },
      '3': { class_type: 'C', inputs: { x: ['2', 0] } },
      '4': { class_type: 'SaveImage', inputs: { images: ['3', 0] } },
    };
    const failure = checkPromptStructure(prompt)!;
    expect(Object.keys(failure.node_errors).sort()).toEqual(['1', '2', '3']);
    expect(failure.node_errors['1']!.errors[0]).toMatchObject({
      type: 'dependency_cycle',
      message: 'Dependency cycle detected',
    });
    expect(failure.node_errors['1']!.errors[0]!.details).toMatch(/^(\d) -> (\d) -> (\d) -> \1$/);
  });

  it('finds a self-loop and handles a long chain without recursion limits', () => {
    expect(findCycles(new Map([['a', ['a']]]))).toEqual([['a', 'a']]);
    const chain = new Map(
      Array.from({ length: 50_000 }, (_, i) => [String(i), i > 0 ? [String(i - 1)] : []]),
    );
    expect(findCycles(chain)).toEqual([]);
  });

  it('summarises a failure in one line', () => {
    const prompt = txt2imgPrompt();
    (prompt['3'] as any).inputs.model = ['99', 0];
    expect(describeFailure(checkPromptStructure(prompt)!)).toBe(
      "Prompt outputs failed validation: 1 error in node 3 (first: Bad linked input, must be a length-2 list of [node_id, slot_index]: model: linked node '99' does not exist in the prompt)",
    );
  });
});
