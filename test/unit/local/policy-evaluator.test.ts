import { describe, expect, it } from 'vitest';
import {
  type AccessRequest,
  authorize,
  type PolicyStatementJson,
  wildcardMatches,
} from '../../../local/iam-emulation/policy-evaluator';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/t';
const allow = (
  Action: string | string[],
  Resource: string | string[],
  Condition?: PolicyStatementJson['Condition'],
) => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) }) as PolicyStatementJson;
const listing = (prefix: string | undefined): AccessRequest => ({
  action: 's3:ListBucket',
  resource: 'arn:aws:s3:::b',
  conditionKeys: { 's3:prefix': prefix, 's3:delimiter': undefined, 's3:max-keys': undefined },
});

describe('IAM wildcard matching', () => {
  it('lets * span any characters, slashes and colons included, and ? exactly one', () => {
    expect(wildcardMatches('arn:aws:s3:::b/executes/*', 'arn:aws:s3:::b/executes/x/outputs/1.png')).toBe(
      true,
    );
    expect(wildcardMatches('arn:aws:s3:::b/executes/*', 'arn:aws:s3:::b/inputs/x')).toBe(false);
    expect(wildcardMatches('secret:p-??????', 'secret:p-abcdef')).toBe(true);
    expect(wildcardMatches('secret:p-??????', 'secret:p-abcde')).toBe(false);
    expect(wildcardMatches('a.b', 'axb')).toBe(false);
  });

  it('matches actions without regard to case, resources with it', () => {
    expect(
      authorize([allow('DynamoDB:getitem', TABLE)], { action: 'dynamodb:GetItem', resource: TABLE }),
    ).toEqual({
      allowed: true,
    });
    expect(
      authorize([allow('dynamodb:GetItem', TABLE)], {
        action: 'dynamodb:GetItem',
        resource: TABLE.toUpperCase(),
      }).allowed,
    ).toBe(false);
  });
});

describe('authorize', () => {
  it('refuses what no statement allows, in IAM words', () => {
    const decision = authorize([allow('dynamodb:GetItem', TABLE)], {
      action: 'dynamodb:Query',
      resource: TABLE,
    });
    expect(decision).toEqual({
      allowed: false,
      reason: 'because no identity-based policy allows the dynamodb:Query action',
    });
  });

  it('keeps an index apart from its table: the table ARN does not cover table/T/index/I', () => {
    const index = `${TABLE}/index/owner-index`;
    expect(
      authorize([allow('dynamodb:Query', TABLE)], { action: 'dynamodb:Query', resource: index }).allowed,
    ).toBe(false);
    expect(
      authorize([allow('dynamodb:Query', index)], { action: 'dynamodb:Query', resource: index }).allowed,
    ).toBe(true);
  });

  it('lets an explicit deny win over any allow', () => {
    const statements: PolicyStatementJson[] = [
      allow('s3:*', 'arn:aws:s3:::b/*'),
      { Effect: 'Deny', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::b/models/*' },
    ];
    const decision = authorize(statements, {
      action: 's3:DeleteObject',
      resource: 'arn:aws:s3:::b/models/m',
    });
    expect(decision).toEqual({ allowed: false, reason: 'with an explicit deny in an identity-based policy' });
    expect(
      authorize(statements, { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/inputs/i' }).allowed,
    ).toBe(true);
  });

  it('holds StringLike on s3:prefix to the listed prefixes, and refuses a listing without a prefix', () => {
    const statements = [
      allow('s3:ListBucket', 'arn:aws:s3:::b', { StringLike: { 's3:prefix': ['inputs/*'] } }),
    ];
    expect(authorize(statements, listing('inputs/key-a/')).allowed).toBe(true);
    expect(authorize(statements, listing('models/')).allowed).toBe(false);
    expect(authorize(statements, listing(undefined)).allowed).toBe(false);
  });

  it('applies StringEquals exactly, and negated operators and IfExists to absent keys as IAM does', () => {
    const equals = [allow('s3:ListBucket', 'arn:aws:s3:::b', { StringEquals: { 's3:prefix': 'inputs/' } })];
    expect(authorize(equals, listing('inputs/')).allowed).toBe(true);
    expect(authorize(equals, listing('inputs/x')).allowed).toBe(false);
    const notLike = [
      allow('s3:ListBucket', 'arn:aws:s3:::b', { StringNotLike: { 's3:prefix': 'models/*' } }),
    ];
    expect(authorize(notLike, listing(undefined)).allowed).toBe(true);
    expect(authorize(notLike, listing('models/x')).allowed).toBe(false);
    const ifExists = [
      allow('s3:ListBucket', 'arn:aws:s3:::b', { StringLikeIfExists: { 's3:prefix': 'inputs/*' } }),
    ];
    expect(authorize(ifExists, listing(undefined)).allowed).toBe(true);
    expect(authorize(ifExists, listing('models/')).allowed).toBe(false);
  });

  it('tests a multivalued key as a set: ForAllValues holds for none, ForAnyValue needs one', () => {
    const update = (attributes: string[] | undefined): AccessRequest => ({
      action: 'dynamodb:UpdateItem',
      resource: TABLE,
      conditionKeys: { 'dynamodb:Attributes': attributes },
    });
    const all = [
      allow('dynamodb:UpdateItem', TABLE, {
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['prompt_id', 'status'] },
      }),
    ];
    expect(authorize(all, update(['prompt_id', 'status'])).allowed).toBe(true);
    expect(authorize(all, update(['status'])).allowed).toBe(true);
    expect(authorize(all, update([])).allowed).toBe(true);
    expect(authorize(all, update(['status', 'owner'])).allowed).toBe(false);
    const any = [
      allow('dynamodb:UpdateItem', TABLE, { 'ForAnyValue:StringLike': { 'dynamodb:Attributes': 'web*' } }),
    ];
    expect(authorize(any, update(['status', 'webhook'])).allowed).toBe(true);
    expect(authorize(any, update(['status'])).allowed).toBe(false);
    expect(authorize(any, update(undefined)).allowed).toBe(false);
    const notAll = [
      allow('dynamodb:UpdateItem', TABLE, {
        'ForAllValues:StringNotEquals': { 'dynamodb:Attributes': ['owner'] },
      }),
    ];
    expect(authorize(notAll, update(['status'])).allowed).toBe(true);
    expect(authorize(notAll, update(['status', 'owner'])).allowed).toBe(false);
    // A set tested without a qualifier is IAM's misuse: refused, saying so.
    const single = [
      allow('dynamodb:UpdateItem', TABLE, { StringEquals: { 'dynamodb:Attributes': 'status' } }),
    ];
    expect(authorize(single, update(['status']))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('needs ForAllValues or ForAnyValue'),
    });
  });

  it('fails closed, saying why, on a condition key the request does not model', () => {
    const statements = [
      allow('dynamodb:GetItem', TABLE, { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': 'x' } }),
    ];
    expect(authorize(statements, { action: 'dynamodb:GetItem', resource: TABLE })).toEqual({
      allowed: false,
      reason:
        'because condition key dynamodb:LeadingKeys is not emulated locally for dynamodb:GetItem (failing closed)',
    });
  });

  it('fails closed on an operator it does not emulate, and on NotAction', () => {
    const operator = [allow('s3:ListBucket', 'arn:aws:s3:::b', { NumericLessThan: { 's3:max-keys': '10' } })];
    expect(authorize(operator, listing('inputs/'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('condition operator NumericLessThan is not emulated'),
    });
    const notAction: PolicyStatementJson[] = [
      { Effect: 'Allow', NotAction: 's3:DeleteObject', Resource: '*' },
    ];
    expect(authorize(notAction, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('NotAction'),
    });
  });

  it('does not let an unreadable statement block an allow another statement gives', () => {
    const statements = [
      allow('dynamodb:GetItem', TABLE, { StringEquals: { 'aws:SourceVpc': 'vpc-1' } }),
      allow('dynamodb:GetItem', TABLE),
    ];
    expect(authorize(statements, { action: 'dynamodb:GetItem', resource: TABLE }).allowed).toBe(true);
  });
});
