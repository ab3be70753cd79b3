import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { EXECUTE_TABLE } from '../../lambda/adapters/execute-table';

export interface ExecuteTableProps {
  /**
   * What happens to the table (and every execute record) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The executes table from the definition the local stack also uses (lambda/adapters/execute-table.ts):
 * on-demand, point-in-time recovery, TTL on `expires_at`, the owner and owner#status listing
 * indexes, the sparse pending index the Sweeper reads, and a stream for ComfyUI's websocket.
 */
export class ExecuteTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: ExecuteTableProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: EXECUTE_TABLE.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: EXECUTE_TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // Every change, old and new image: ComfyUI's websocket is told of claims, progress and ends.
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
    });
    // byOwnerTemplate came later: added to a deployed table as a new index (CloudFormation adds one per update).
    for (const index of [EXECUTE_TABLE.byOwner, EXECUTE_TABLE.byOwnerStatus, EXECUTE_TABLE.byOwnerTemplate]) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...EXECUTE_TABLE.projectedAttributes],
      });
    }
    this.table.addGlobalSecondaryIndex({
      indexName: EXECUTE_TABLE.pending.indexName,
      partitionKey: { name: EXECUTE_TABLE.pending.partitionKey, type: AttributeType.STRING },
      sortKey: { name: EXECUTE_TABLE.pending.sortKey, type: AttributeType.NUMBER },
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }
}
