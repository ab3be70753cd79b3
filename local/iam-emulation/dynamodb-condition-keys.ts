import type { SdkCall } from './sdk-call';

/** Words of DynamoDB's expression grammar that are not attribute names. */
const GRAMMAR = new Set([
  'set',
  'remove',
  'add',
  'delete',
  'and',
  'or',
  'not',
  'in',
  'between',
  'attribute_exists',
  'attribute_not_exists',
  'attribute_type',
  'begins_with',
  'contains',
  'size',
  'if_not_exists',
  'list_append',
]);

/**
 * The attribute names an expression uses: each `#placeholder` as ExpressionAttributeNames maps it,
 * and each bare name. Every segment of a document path counts (`a.b` names a and b): more than the
 * top-level names IAM may count, so the emulation can only refuse more than AWS, never less.
 */
function namesIn(expression: unknown, placeholders: Record<string, string>): string[] {
  if (typeof expression !== 'string') return [];
  const names: string[] = [];
  for (const match of expression.matchAll(/([#:]?)([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const [, sigil, word] = match as unknown as [string, string, string];
    if (sigil === ':') continue;
    if (sigil === '#') names.push(placeholders[`#${word}`] ?? `#${word}`);
    else if (!GRAMMAR.has(word.toLowerCase())) names.push(word);
  }
  return names;
}

/**
 * `dynamodb:Attributes` and `dynamodb:ReturnValues` of an UpdateItem, as the DynamoDB developer
 * guide defines them: every attribute the request reads, writes or evaluates in its condition
 * (the key's included), and ReturnValues, `NONE` when not sent.
 */
export function updateItemConditionKeys(call: SdkCall): Record<string, string | readonly string[]> {
  const input = call.input;
  const placeholders = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const attributes = new Set<string>([
    ...Object.keys((input.Key ?? {}) as object),
    ...Object.keys((input.AttributeUpdates ?? {}) as object),
    ...Object.keys((input.Expected ?? {}) as object),
    ...namesIn(input.UpdateExpression, placeholders),
    ...namesIn(input.ConditionExpression, placeholders),
    // A name mapped but not used still names an attribute: counted, to refuse rather than guess.
    ...Object.values(placeholders),
  ]);
  return {
    'dynamodb:Attributes': [...attributes],
    'dynamodb:ReturnValues': typeof input.ReturnValues === 'string' ? input.ReturnValues : 'NONE',
  };
}
