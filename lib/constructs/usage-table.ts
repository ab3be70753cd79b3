import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { USAGE_TABLE } from '../../lambda/adapters/usage-table';

/**
 * Usage per owner, endpoint and day (lambda/adapters/usage-table.ts, which the local stack builds
 * its table from too): on-demand, point-in-time recovery, no TTL (a month's bill is asked for
 * after the records it came from have expired), and the by-day index an operator reads.
 */
export class UsageTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: { removalPolicy?: RemovalPolicy } = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: USAGE_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: USAGE_TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: USAGE_TABLE.byDay.indexName,
      partitionKey: { name: USAGE_TABLE.byDay.partitionKey, type: AttributeType.STRING },
      sortKey: { name: USAGE_TABLE.byDay.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
