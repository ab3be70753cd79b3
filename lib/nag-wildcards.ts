import { CfnResource, DefaultStackSynthesizer, type Stack, Validations } from 'aws-cdk-lib';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's IAM5 findings below `scope` whose resource matches `resource`, as cdk-nag
 * itself reports them for this synthesis. A finding id holds the resource as resolved, so it
 * changes with the account, the region and, under `@aws-cdk/core:enablePartitionLiterals`, the
 * partition (its literal name once the region is known, `<AWS::Partition>` while it is not).
 * A literal id matches one of those shapes only; a pattern run over the findings matches every one. Returns the ids acknowledged, so a caller can insist on some.
 */
export function acknowledgeWildcardResources(scope: IConstruct, resource: RegExp, reason: string): string[] {
  const acknowledged: string[] = [];
  for (const node of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(node)) continue;
    const findings = rules.iam.IAMNoWildcardPermissions(node);
    if (!Array.isArray(findings)) continue;
    const ids = findings
      .filter(
        (finding) => finding.startsWith('Resource::') && resource.test(finding.slice('Resource::'.length)),
      )
      .map((finding) => `AwsSolutions::AwsSolutions-IAM5[${finding}]`);
    if (ids.length === 0) continue;
    Validations.of(node).acknowledge(...ids.map((id) => ({ id, reason })));
    acknowledged.push(...ids);
  }
  return acknowledged;
}

const ACCOUNT = String.raw`(?:\d{12}|<AWS::AccountId>)`;
const REGION = String.raw`(?:[a-z]{2}(?:-[a-z]+)+-\d|<AWS::Region>)`;
const PARTITION = '(?:aws(?:-[a-z]+)*|<AWS::Partition>)';

/**
 * The objects of the stack's CDK file-asset bucket (`cdk-{qualifier}-assets-{account}-{region}`,
 * made by `cdk bootstrap`), in any account, region and partition.
 */
export function assetBucketObjects(stack: Stack): RegExp {
  const synthesizer = stack.synthesizer;
  const qualifier =
    (synthesizer instanceof DefaultStackSynthesizer ? synthesizer.bootstrapQualifier : undefined) ??
    DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  return new RegExp(String.raw`^arn:${PARTITION}:s3:::cdk-${qualifier}-assets-${ACCOUNT}-${REGION}/\*$`);
}

/** Every object of the named buckets (`arn:…:s3:::{name}/*`), in any partition. */
export function objectsOfBuckets(names: readonly string[]): RegExp {
  // S3 bucket names hold no pattern characters but the dot.
  const alternatives = names.map((name) => name.replaceAll('.', String.raw`\.`)).join('|');
  return new RegExp(String.raw`^arn:${PARTITION}:s3:::(?:${alternatives})/\*$`);
}
