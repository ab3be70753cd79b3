import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ExecuteTable } from '../constructs/execute-table';
import { PayloadBucket } from '../constructs/payload-bucket';
import { UsageTable } from '../constructs/usage-table';

export interface DataStackProps extends StackProps {
  /** The payload bucket's physical name. */
  readonly bucketName: string;
  /** @default 30 */
  readonly retentionDays?: number;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Stateful resources, deployed apart from the compute that uses them. */
export class DataStack extends Stack {
  readonly executeTable: ExecuteTable;
  readonly usageTable: UsageTable;
  readonly payloads: PayloadBucket;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.executeTable = new ExecuteTable(this, 'Executes', { removalPolicy });
    this.usageTable = new UsageTable(this, 'Usage', { removalPolicy });
    this.payloads = new PayloadBucket(this, 'Payloads', {
      bucketName: props.bucketName,
      retentionDays: props.retentionDays ?? 30,
      removalPolicy,
    });
  }
}
