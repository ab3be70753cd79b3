import type { PromptGraph, PromptNode } from '../prompt-graph';
import { WorkflowConversionError } from './conversion-error';
import { expandGroupNodes } from './expand-group-nodes';
import { expandSubgraphs } from './expand-subgraphs';
import { BYPASSED, LinkResolver, MUTED, VIRTUAL_TYPES } from './link-resolver';
import {
  declaredInputs,
  type NodeCatalog,
  type NodeSpec,
  nodeSpec,
  type WidgetSlot,
  widgetDefault,
  widgetSlots,
} from './node-catalog';
import { checkNodeEntries } from './node-entries';
import { withoutInvalidEntries } from './saved-entries';
import type { UiInput, UiNode, UiWorkflow } from './ui-workflow';

export { WorkflowConversionError };

/** Editor-only widget values some custom nodes keep in dict-style widgets_values. */
const UI_ONLY_WIDGETS = new Set([
  'videopreview',
  'choose video to upload',
  'choose file to upload',
  'upload',
]);

class Converter {
  private readonly nodes = new Map<string, UiNode>();
  private readonly links: LinkResolver;
  /** Required widgets missing from the saved workflow, given their defaults. */
  readonly filled: FilledWidget[] = [];

  constructor(
    private readonly workflow: UiWorkflow,
    private readonly catalog: NodeCatalog,
  ) {
    for (const node of workflow.nodes) this.nodes.set(String(node.id), node);
    this.links = new LinkResolver(workflow, this.nodes);
  }

  /** Widget names in widgets_values order: from the catalog, else from the node's own widget inputs. */
  private widgetNames(node: UiNode, spec: NodeSpec | undefined): WidgetSlot[] {
    if (spec) return widgetSlots(spec);
    const fromNode = (node.inputs ?? []).filter(
      (input): input is UiInput & { widget: { name: string } } => input.widget !== undefined,
    );
    if (
      fromNode.length > 0 ||
      !node.widgets_values ||
      (Array.isArray(node.widgets_values) && node.widgets_values.length === 0)
    ) {
      return fromNode.map((input) => ({ name: input.widget.name, controlAfterGenerate: false }));
    }
    throw new WorkflowConversionError(
      `node ${node.id} (${node.type}) is not in the endpoint's node catalog and the workflow does not say which widget each value belongs to; install the node on the endpoint or export the workflow in API format`,
      String(node.id),
    );
  }

  private widgetInputs(node: UiNode, spec: NodeSpec | undefined): Record<string, unknown> {
    // A node that had no widgets when it was saved carries no widgets_values at all (the editor
    // omits the key): the editor's loader leaves every widget at its default, so its required ones
    // are filled like those of a shorter list.
    const values = node.widgets_values ?? (spec ? [] : undefined);
    if (values === undefined) return {};
    if (!Array.isArray(values)) {
      // Dict-style widgets_values (some custom nodes, e.g. VHS): keep the keys that are real inputs;
      // without a catalog entry, every scalar value except the editor's own (previews, upload buttons).
      const known = spec ? declaredInputs(spec) : undefined;
      return Object.fromEntries(
        Object.entries(values).filter(([key, value]) =>
          known ? known.has(key) : !UI_ONLY_WIDGETS.has(key) && (value === null || typeof value !== 'object'),
        ),
      );
    }
    const inputs: Record<string, unknown> = {};
    let index = 0;
    let linked: Set<string> | undefined;
    for (const slot of this.widgetNames(node, spec)) {
      if (index < values.length) {
        inputs[slot.name] = values[index++];
        if (slot.controlAfterGenerate) index++;
      } else if (slot.required) {
        linked ??= linkedInputNames(node);
        this.fillMissingWidget(node, slot.name, slot.spec, linked.has(slot.name), inputs);
      }
    }
    return inputs;
  }

  /**
   * A required widget the node gained after the workflow was saved: ComfyUI's frontend gives it
   * its default when it loads the workflow, so the conversion does too (an optional one is left
   * out: the server applies its default). Linked widgets get their link instead.
   */
  private fillMissingWidget(
    node: UiNode,
    name: string,
    spec: unknown,
    linked: boolean,
    inputs: Record<string, unknown>,
  ) {
    const value = widgetDefault(spec);
    if (linked || value === undefined) return;
    inputs[name] = value;
    this.filled.push({ nodeId: String(node.id), classType: node.type, input: name, value });
  }

  convertNode(node: UiNode): PromptNode {
    const spec = nodeSpec(this.catalog, node.type);
    const inputs = this.widgetInputs(node, spec);
    for (const input of node.inputs ?? []) {
      const name = input.widget?.name ?? input.name;
      if (input.link === null || input.link === undefined) continue;
      const resolved = this.links.resolve(input.link);
      if (resolved.kind === 'none') delete inputs[name];
      else inputs[name] = resolved.value;
    }
    const title = node.title ?? spec?.display_name ?? node.type;
    return { inputs, class_type: node.type, _meta: { title } };
  }

  convert(): PromptGraph {
    const prompt: PromptGraph = {};
    for (const node of this.workflow.nodes) {
      if (VIRTUAL_TYPES.has(node.type) || node.mode === MUTED || node.mode === BYPASSED) continue;
      if (node.type.startsWith('workflow/') || node.type.startsWith('workflow>')) {
        throw new WorkflowConversionError(
          `node ${node.id} is a group node (${node.type}); group nodes are not converted yet: export the workflow in API format`,
          String(node.id),
        );
      }
      prompt[String(node.id)] = this.convertNode(node);
    }
    return prompt;
  }
}

/** The names of a node's inputs that are linked (a converted widget goes by its widget's name). */
function linkedInputNames(node: UiNode): Set<string> {
  const names = new Set<string>();
  for (const input of node.inputs ?? []) if (input.link != null) names.add(input.widget?.name ?? input.name);
  return names;
}

/**
 * A UI workflow (the editor's File → Save) as the API prompt the editor would queue, by the rules
 * of comfyui-server-api.md §9.2, with `catalog` (the endpoint's /object_info) giving widget order.
 * What the subgraph and group node expansions would build is measured before anything is built:
 * past `maxNodes` nodes, LINKS_PER_NODE × `maxNodes` links or ENTRIES_PER_NODE × `maxNodes`
 * entries, or with a node over MAX_NODE_SLOTS inputs or widget values, the workflow is refused
 * (expansion-limits.ts, node-entries.ts). The rest is linear in what is built: each link is
 * resolved once (link-resolver.ts).
 */
export function convertWorkflow(
  workflow: UiWorkflow,
  catalog: NodeCatalog,
  maxNodes = Number.POSITIVE_INFINITY,
): PromptGraph {
  return convertWorkflowWithWarnings(workflow, catalog, maxNodes).prompt;
}

export interface FilledWidget {
  nodeId: string;
  classType: string;
  input: string;
  value: unknown;
}

export interface ConvertedWorkflow {
  prompt: PromptGraph;
  /** Required widgets the workflow predates, given their defaults as the editor would. */
  filled: FilledWidget[];
  /** One line per filled widget, for the client. */
  warnings: string[];
}

/** convertWorkflow, also saying what it had to fill in (missing widgets given their defaults). */
export function convertWorkflowWithWarnings(
  workflow: UiWorkflow,
  catalog: NodeCatalog,
  maxNodes = Number.POSITIVE_INFINITY,
): ConvertedWorkflow {
  if (!Array.isArray(workflow.nodes)) throw new WorkflowConversionError('the workflow has no nodes list');
  const valid = withoutInvalidEntries(workflow);
  checkNodeEntries(valid.workflow, { maxNodes });
  const flat = expandGroupNodes(expandSubgraphs(valid.workflow, maxNodes), catalog, maxNodes);
  const converter = new Converter(flat, catalog);
  const prompt = converter.convert();
  const filledWarnings = converter.filled.map(
    (f) =>
      `node ${f.nodeId} (${f.classType}): widget '${f.input}' is missing from the saved workflow (saved by an older ComfyUI); filled with its default ${JSON.stringify(f.value)}`,
  );
  return { prompt, filled: converter.filled, warnings: [...valid.warnings, ...filledWarnings] };
}
