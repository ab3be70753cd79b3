import {
  type ComfyError,
  type ComfyNodeErrors,
  type ComfyValidationFailure,
  comfyError,
} from './comfy-errors';
import { exactJsonText } from './exact-json';

/** One node of an API-format prompt: `{class_type, inputs, _meta?}`. */
export interface PromptNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
  [extra: string]: unknown;
}

/** An API-format prompt: nodes keyed by id (any string: "3", "37:0", "save_ws"). */
export type PromptGraph = Record<string, PromptNode>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A link is any list input: ComfyUI treats every bare list as `[source_node_id, output_index]`
 * (literal lists travel wrapped as `{"__value__": [...]}`).
 */
function linkProblem(value: unknown[], nodeIds: ReadonlySet<string>): string | undefined {
  if (value.length !== 2) return `expected [node_id, output_index], got a list of ${value.length}`;
  const [source, slot] = value;
  if (typeof source !== 'string') return `the node id ${exactJsonText(source)} must be a string`;
  if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0) {
    return `the output index ${exactJsonText(slot)} must be a non-negative integer`;
  }
  if (!nodeIds.has(source)) return `linked node '${source}' does not exist in the prompt`;
  return undefined;
}

function nodeLabel(id: string, node: unknown): string {
  const title = isPlainObject(node) && isPlainObject(node._meta) ? node._meta.title : undefined;
  return typeof title === 'string' && title !== '' ? title : `ID #${id}`;
}

class NodeErrorCollector {
  // No prototype: a node id "__proto__" is then a key like any other.
  readonly nodeErrors: ComfyNodeErrors = Object.create(null);
  add(id: string, classType: string, error: ComfyError): void {
    // Own entries only: a node id of "valueOf" or "constructor" must not find Object's.
    const entry = Object.hasOwn(this.nodeErrors, id)
      ? this.nodeErrors[id]!
      : { errors: [], dependent_outputs: [], class_type: classType };
    entry.errors.push(error);
    this.nodeErrors[id] = entry;
  }
  get isEmpty(): boolean {
    return Object.keys(this.nodeErrors).length === 0;
  }
}

function checkNodeShape(id: string, node: unknown, nodeIds: ReadonlySet<string>, found: NodeErrorCollector) {
  if (!isPlainObject(node) || typeof node.class_type !== 'string' || node.class_type === '') {
    const label = nodeLabel(id, node);
    found.add(
      id,
      '',
      comfyError(
        'missing_node_type',
        `Node '${label}' has no class_type. The workflow may be corrupted or a custom node is missing.`,
        `Node ID '#${id}'`,
        { node_id: id, class_type: null, node_title: label },
      ),
    );
    return;
  }
  const classType = node.class_type;
  if (!isPlainObject(node.inputs)) {
    found.add(
      id,
      classType,
      comfyError('invalid_prompt', 'Node inputs must be an object', `Node ID '#${id}': inputs`, {
        node_id: id,
      }),
    );
    return;
  }
  for (const [inputName, value] of Object.entries(node.inputs)) {
    if (!Array.isArray(value)) continue;
    const problem = linkProblem(value, nodeIds);
    if (problem) {
      found.add(
        id,
        classType,
        comfyError(
          'bad_linked_input',
          'Bad linked input, must be a length-2 list of [node_id, slot_index]',
          `${inputName}: ${problem}`,
          { input_name: inputName, received_value: value },
        ),
      );
    }
  }
}

/** Node ids each node links to, for nodes whose shape is sound. */
export function linkTargets(
  graph: Record<string, unknown>,
  nodeIds: ReadonlySet<string>,
): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const [id, node] of Object.entries(graph)) {
    const targets: string[] = [];
    if (isPlainObject(node) && isPlainObject(node.inputs)) {
      for (const value of Object.values(node.inputs)) {
        if (
          Array.isArray(value) &&
          value.length === 2 &&
          typeof value[0] === 'string' &&
          nodeIds.has(value[0])
        ) {
          targets.push(value[0]);
        }
      }
    }
    edges.set(id, targets);
  }
  return edges;
}

/** Every cycle found by an iterative depth-first walk, each as the path of node ids around it. */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  for (const start of edges.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 'open');
    path.push(start);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const targets = edges.get(frame.id) ?? [];
      if (frame.next >= targets.length) {
        state.set(frame.id, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const target = targets[frame.next++]!;
      const seen = state.get(target);
      if (seen === 'open') {
        cycles.push([...path.slice(path.indexOf(target)), target]);
      } else if (seen === undefined) {
        state.set(target, 'open');
        path.push(target);
        stack.push({ id: target, next: 0 });
      }
    }
  }
  return cycles;
}

function summarise(found: NodeErrorCollector): ComfyValidationFailure {
  const all = Object.values(found.nodeErrors).flatMap((entry) => entry.errors);
  const missingType = all.find((error) => error.type === 'missing_node_type');
  const error =
    missingType ??
    comfyError(
      'prompt_outputs_failed_validation',
      'Prompt outputs failed validation',
      all.map((e) => `${e.message}: ${e.details}`).join('\n'),
    );
  return { error, node_errors: found.nodeErrors };
}

/**
 * The structural check every prompt passes before anything is written: an object of nodes,
 * each with a string `class_type` and an object `inputs`, every link pointing at an existing
 * node, and no cycles. Returns undefined when the graph is sound.
 */
export function checkPromptStructure(prompt: unknown): ComfyValidationFailure | undefined {
  if (!isPlainObject(prompt) || Object.keys(prompt).length === 0) {
    return {
      error: comfyError('no_prompt', 'No prompt provided', 'prompt must be an object with at least one node'),
      node_errors: {},
    };
  }
  const nodeIds = new Set(Object.keys(prompt));
  const found = new NodeErrorCollector();
  for (const [id, node] of Object.entries(prompt)) checkNodeShape(id, node, nodeIds, found);
  for (const cycle of findCycles(linkTargets(prompt, nodeIds))) {
    const details = cycle.join(' -> ');
    for (const id of new Set(cycle)) {
      const node = prompt[id];
      const classType = isPlainObject(node) && typeof node.class_type === 'string' ? node.class_type : '';
      found.add(id, classType, comfyError('dependency_cycle', 'Dependency cycle detected', details));
    }
  }
  return found.isEmpty ? undefined : summarise(found);
}

/** One line for the envelope's `message`, e.g. "Prompt outputs failed validation: 2 errors in nodes 3, 7". */
export function describeFailure(failure: ComfyValidationFailure): string {
  const ids = Object.keys(failure.node_errors);
  if (ids.length === 0) return `${failure.error.message}: ${failure.error.details}`;
  const count = Object.values(failure.node_errors).reduce((n, entry) => n + entry.errors.length, 0);
  const first = Object.values(failure.node_errors)[0]!.errors[0]!;
  return `${failure.error.message}: ${count} error${count === 1 ? '' : 's'} in node${ids.length === 1 ? '' : 's'} ${ids.join(', ')} (first: ${first.message}: ${first.details})`;
}
