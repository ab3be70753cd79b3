type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** A value as Python would hold it: floats stay floats even when whole (2.0), as FLOAT inputs do. */
export type SimValue =
  | { kind: 'str'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'opaque'; value: string };

const PRIMITIVES: Record<string, SimValue['kind']> = {
  PrimitiveString: 'str',
  PrimitiveStringMultiline: 'str',
  PrimitiveInt: 'int',
  PrimitiveFloat: 'float',
  PrimitiveBoolean: 'bool',
};

/**
 * The value a link carries, for the few value nodes whose results the simulator computes
 * (primitives and StringConcatenate); anything else is opaque, as a tensor is to PreviewAny.
 */
export function linkedValue(prompt: Prompt, value: unknown, depth = 0): SimValue {
  if (!Array.isArray(value)) return literal(value);
  const node = prompt[String(value[0])];
  if (!node || depth > 64) return { kind: 'opaque', value: 'None' };
  const kind = PRIMITIVES[node.class_type];
  if (kind) {
    const inner = linkedValue(prompt, node.inputs.value, depth + 1);
    if (kind === 'float' && typeof inner.value === 'number') return { kind: 'float', value: inner.value };
    return inner;
  }
  if (node.class_type === 'StringConcatenate') {
    const part = (name: string) => pythonStr(linkedValue(prompt, node.inputs[name], depth + 1));
    return { kind: 'str', value: [part('string_a'), part('string_b')].join(part('delimiter')) };
  }
  return { kind: 'opaque', value: `<${node.class_type} output ${String(value[1])}>` };
}

function literal(value: unknown): SimValue {
  if (typeof value === 'string') return { kind: 'str', value };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'number') return { kind: Number.isInteger(value) ? 'int' : 'float', value };
  return { kind: 'opaque', value: value === undefined ? '' : JSON.stringify(value) };
}

/** Python's str() of the value: True/False, 2.0 for a whole float. */
export function pythonStr(value: SimValue): string {
  switch (value.kind) {
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'float':
      return Number.isInteger(value.value) ? `${value.value}.0` : String(value.value);
    default:
      return String(value.value);
  }
}
