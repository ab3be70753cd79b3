/**
 * IAM's evaluation of one identity policy, as far as this project's statements need it: explicit
 * Deny beats Allow, no Allow is an implicit deny; `*` and `?` wildcards in actions (case-blind)
 * and resources (case-sensitive); the String condition operators and Null, alone or with the
 * ForAllValues/ForAnyValue set qualifiers. Anything else a
 * statement may hold (NotAction, policy variables, other operators, condition keys a request does
 * not model) fails closed with a message that names it, so the emulation never allows by guessing.
 */

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

/** A statement as IAM reads it (PolicyStatement.toStatementJson()). */
export interface PolicyStatementJson {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: ConditionBlock;
  NotAction?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
}

/** One authorization IAM makes for a call (a call may need several: CopyObject reads and writes). */
export interface AccessRequest {
  /** `service:Action`, e.g. `dynamodb:Query`. */
  action: string;
  /** The resource's ARN, e.g. `arn:aws:dynamodb:…:table/T/index/I`. */
  resource: string;
  /**
   * The condition keys the request carries: a key present with `undefined` is known and absent
   * (IAM's semantics apply); a key missing from this object is not modelled, so a statement that
   * tests it fails closed. A list is a multivalued key, tested only with ForAllValues/ForAnyValue.
   */
  conditionKeys?: Record<string, string | readonly string[] | undefined>;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const patterns = new Map<string, RegExp>();

/** IAM's wildcards: `*` any run of characters (`/` and `:` included), `?` exactly one. */
export function wildcardMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = patterns.get(cacheKey);
  if (!regex) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    patterns.set(cacheKey, regex);
  }
  return regex.test(value);
}

type Outcome = 'match' | 'no-match' | { unsupported: string };

const POSITIVE: Record<string, (value: string, pattern: string) => boolean> = {
  StringEquals: (value, pattern) => value === pattern,
  StringLike: (value, pattern) => wildcardMatches(pattern, value),
};
const NEGATED: Record<string, string> = { StringNotEquals: 'StringEquals', StringNotLike: 'StringLike' };
/** IAM's set operators, for a condition key with several values (dynamodb:Attributes). */
const SET_QUALIFIERS = ['ForAllValues', 'ForAnyValue'];

function operatorHolds(
  operator: string,
  key: string,
  expected: string[],
  request: AccessRequest,
): boolean | { unsupported: string } {
  const known = request.conditionKeys ?? {};
  if (!(key in known))
    return {
      unsupported: `condition key ${key} is not emulated locally for ${request.action}`,
    };
  const value = known[key];
  const [qualifier, single] = operator.includes(':') ? operator.split(':', 2) : [undefined, operator];
  if (qualifier !== undefined && !SET_QUALIFIERS.includes(qualifier))
    return { unsupported: `condition operator ${operator} is not emulated locally` };
  if (qualifier === undefined && Array.isArray(value))
    return { unsupported: `${key} has several values: ${operator} needs ForAllValues or ForAnyValue` };
  if (single === 'Null') return expected.includes(String(value === undefined));
  const ifExists = single!.endsWith('IfExists');
  const base = ifExists ? single!.slice(0, -'IfExists'.length) : single!;
  const negatedBase = NEGATED[base];
  const test = POSITIVE[negatedBase ?? base];
  if (!test) return { unsupported: `condition operator ${operator} is not emulated locally` };
  if (expected.some((pattern) => pattern.includes('${')))
    return { unsupported: `policy variables in ${operator} ${key} are not emulated locally` };
  const holdsFor = (one: string) => {
    const any = expected.some((pattern) => test(one, pattern));
    return negatedBase ? !any : any;
  };
  if (qualifier !== undefined) {
    // The request's values as a set: ForAllValues holds for an empty or absent set (as in IAM),
    // ForAnyValue needs one value that holds.
    const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
    return qualifier === 'ForAllValues' ? values.every(holdsFor) : values.some(holdsFor);
  }
  // An absent key: a positive operator fails, a negated one (or …IfExists) holds, as in IAM.
  if (value === undefined) return ifExists || negatedBase !== undefined;
  return holdsFor(value as string);
}

function conditionOutcome(condition: ConditionBlock | undefined, request: AccessRequest): Outcome {
  for (const [operator, keys] of Object.entries(condition ?? {}))
    for (const [key, expected] of Object.entries(keys)) {
      const holds = operatorHolds(operator, key, asList(expected), request);
      if (typeof holds === 'object') return holds;
      if (!holds) return 'no-match';
    }
  return 'match';
}

function statementOutcome(statement: PolicyStatementJson, request: AccessRequest): Outcome {
  for (const field of ['NotAction', 'NotResource', 'Principal'] as const)
    if (statement[field] !== undefined)
      return { unsupported: `${field} in an identity policy is not emulated locally` };
  const actions = asList(statement.Action);
  if (!actions.some((pattern) => wildcardMatches(pattern, request.action, true))) return 'no-match';
  const resources = asList(statement.Resource);
  if (resources.some((pattern) => pattern.includes('${')))
    return { unsupported: `resource ${resources.find((p) => p.includes('${'))} holds a variable or token` };
  if (!resources.some((pattern) => wildcardMatches(pattern, request.resource))) return 'no-match';
  return conditionOutcome(statement.Condition, request);
}

/** Whether `statements` allow `request`, and when they do not, why (in IAM's words where it has them). */
export function authorize(statements: readonly PolicyStatementJson[], request: AccessRequest): Decision {
  const outcomes = statements.map((statement) => ({
    statement,
    outcome: statementOutcome(statement, request),
  }));
  const of = (effect: 'Allow' | 'Deny') => outcomes.filter((o) => o.statement.Effect === effect);
  const unsupported = (list: typeof outcomes) =>
    list.map((o) => o.outcome).find((o): o is { unsupported: string } => typeof o === 'object');
  if (of('Deny').some((o) => o.outcome === 'match'))
    return { allowed: false, reason: `with an explicit deny in an identity-based policy` };
  const unclearDeny = unsupported(of('Deny'));
  if (unclearDeny) return { allowed: false, reason: `because ${unclearDeny.unsupported} (failing closed)` };
  if (of('Allow').some((o) => o.outcome === 'match')) return { allowed: true };
  const unclearAllow = unsupported(of('Allow'));
  if (unclearAllow) return { allowed: false, reason: `because ${unclearAllow.unsupported} (failing closed)` };
  return {
    allowed: false,
    reason: `because no identity-based policy allows the ${request.action} action`,
  };
}
