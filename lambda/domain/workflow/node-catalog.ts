/** A node type's `/object_info` entry: the parts conversion and validation read. */
export interface NodeSpec {
  input?: {
    required?: Record<string, unknown>;
    optional?: Record<string, unknown>;
    hidden?: Record<string, unknown>;
  };
  input_order?: { required?: string[]; optional?: string[] };
  output?: string[];
  output_node?: boolean;
  display_name?: string;
  /** Where the class is defined: `nodes`, `comfy_extras.…`, `comfy_api_nodes.…`, `custom_nodes.…`. */
  python_module?: string;
}

/** An endpoint's node catalog: `/object_info`, keyed by class_type. */
export type NodeCatalog = Record<string, NodeSpec>;

const WIDGET_TYPES = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);

export interface WidgetSlot {
  name: string;
  /** Seed-like INTs carry one extra UI-only value (fixed/randomize/...) after theirs. */
  controlAfterGenerate: boolean;
  /** A required input: the server refuses the prompt without it. */
  required?: boolean;
  /** The input's spec, for its default. */
  spec?: unknown;
}

export function optionsOf(spec: unknown): Record<string, unknown> {
  return Array.isArray(spec) && spec[1] && typeof spec[1] === 'object'
    ? (spec[1] as Record<string, unknown>)
    : {};
}

/** A combo input's choices (`[[...], opts]`, or v3's `["COMBO", {options}]`); undefined for any other input. */
export function comboOptions(spec: unknown): unknown[] | undefined {
  if (!Array.isArray(spec)) return undefined;
  if (Array.isArray(spec[0])) return spec[0];
  const options = optionsOf(spec).options;
  return spec[0] === 'COMBO' && Array.isArray(options) ? options : undefined;
}

/**
 * A node type's spec, or undefined when the catalog has none. Only the catalog's own entries
 * count: a prompt's `class_type` of "toString" or "__proto__" names no node.
 */
export function nodeSpec(catalog: NodeCatalog, classType: string): NodeSpec | undefined {
  return Object.hasOwn(catalog, classType) ? catalog[classType] : undefined;
}

const own = (record: Record<string, unknown> | undefined, key: string) =>
  record && Object.hasOwn(record, key) ? record[key] : undefined;

/** The spec a node type declares for one input (required or optional), or undefined. */
export function inputSpecOf(catalog: NodeCatalog, classType: string, input: string): unknown {
  const spec = nodeSpec(catalog, classType)?.input;
  return own(spec?.required, input) ?? own(spec?.optional, input);
}

/** True for an input the editor shows as a widget (not a socket-only or forceInput one). */
export function isWidget(spec: unknown): boolean {
  if (!Array.isArray(spec)) return false;
  const [type] = spec;
  if (optionsOf(spec).forceInput === true) return false;
  return Array.isArray(type) || (typeof type === 'string' && WIDGET_TYPES.has(type));
}

/**
 * The widget inputs of a node type in `widgets_values` order: `input_order` (required, then
 * optional), socket-only and forceInput inputs skipped, each flagged when a control value follows.
 */
export function widgetSlots(spec: NodeSpec): WidgetSlot[] {
  const groups = [spec.input?.required ?? {}, spec.input?.optional ?? {}];
  const order = [
    spec.input_order?.required ?? Object.keys(groups[0]!),
    spec.input_order?.optional ?? Object.keys(groups[1]!),
  ];
  const slots: WidgetSlot[] = [];
  order.forEach((names, group) => {
    for (const name of names) {
      const input = groups[group]![name];
      if (!isWidget(input)) continue;
      const options = optionsOf(input);
      const legacySeed =
        options.control_after_generate === undefined &&
        (input as unknown[])[0] === 'INT' &&
        (name === 'seed' || name === 'noise_seed');
      slots.push({
        name,
        controlAfterGenerate: options.control_after_generate === true || legacySeed,
        required: group === 0,
        spec: input,
      });
    }
  });
  return slots;
}

/** Every input name the node type declares (required, optional), for dict-style widgets_values. */
export function declaredInputs(spec: NodeSpec): Set<string> {
  return new Set([...Object.keys(spec.input?.required ?? {}), ...Object.keys(spec.input?.optional ?? {})]);
}

/**
 * The value the editor gives a widget it has no saved value for: the spec's `default`, else what
 * ComfyUI's frontend falls back to (a combo's first option, a number's min or 0, "" or false).
 */
export function widgetDefault(spec: unknown): unknown {
  const options = optionsOf(spec);
  if ('default' in options) return options.default;
  const type = Array.isArray(spec) ? spec[0] : undefined;
  if (Array.isArray(type)) return type[0];
  if (type === 'COMBO') return Array.isArray(options.options) ? options.options[0] : undefined;
  if (type === 'INT' || type === 'FLOAT')
    return typeof options.min === 'number' ? Math.max(options.min, 0) : 0;
  if (type === 'BOOLEAN') return false;
  if (type === 'STRING') return '';
  return undefined;
}
