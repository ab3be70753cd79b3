import { updateItemConditionKeys } from './dynamodb-condition-keys';
import type { AccessRequest } from './policy-evaluator';
import { type ArnScope, field, operationOf, type SdkCall, UnmappedCallError } from './sdk-call';

const tableArn = (scope: ArnScope, table: string) =>
  table.startsWith('arn:') ? table : `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${table}`;

/** A Query or Scan reads the index when it names one: IAM checks the index's own ARN. */
function readArn(call: SdkCall, scope: ArnScope): string {
  const table = tableArn(scope, field(call, 'TableName'));
  const index = call.input.IndexName;
  return typeof index === 'string' ? `${table}/index/${index}` : table;
}

/** A transaction is authorized item by item, each with its own action on its own table. */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

function transactItems(call: SdkCall, scope: ArnScope): AccessRequest[] {
  const items = call.input.TransactItems;
  if (!Array.isArray(items)) throw new UnmappedCallError(call, 'no TransactItems in its input');
  return items.flatMap((item: Record<string, Record<string, unknown>>) =>
    Object.entries(item).map(([kind, part]) => {
      const action = TRANSACT_ACTIONS[kind];
      if (!action) throw new UnmappedCallError(call, `transaction item ${kind} is not emulated`);
      const resource = tableArn(scope, field(call, 'TableName', part));
      // An Update item is authorized as an UpdateItem, with the same condition keys.
      return kind === 'Update'
        ? { action, resource, conditionKeys: updateItemConditionKeys({ ...call, input: part }) }
        : { action, resource };
    }),
  );
}

/** Batch calls are authorized once per table they touch, with the batch's own action. */
function batchTables(call: SdkCall, scope: ArnScope): AccessRequest[] {
  const tables = Object.keys((call.input.RequestItems as Record<string, unknown> | undefined) ?? {});
  if (tables.length === 0) throw new UnmappedCallError(call, 'no RequestItems in its input');
  return tables.map((table) => ({
    action: `dynamodb:${operationOf(call)}`,
    resource: tableArn(scope, table),
  }));
}

/** DynamoDB: each operation is the action of its name, on the table (or index) it names. */
export function dynamoDbAccess(call: SdkCall, scope: ArnScope): AccessRequest[] {
  const operation = operationOf(call);
  switch (operation) {
    case 'Query':
    case 'Scan':
      return [{ action: `dynamodb:${operation}`, resource: readArn(call, scope) }];
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return transactItems(call, scope);
    case 'BatchWriteItem':
    case 'BatchGetItem':
      return batchTables(call, scope);
    case 'UpdateItem':
      return [
        {
          action: 'dynamodb:UpdateItem',
          resource: tableArn(scope, field(call, 'TableName')),
          conditionKeys: updateItemConditionKeys(call),
        },
      ];
    default:
      // GetItem, PutItem, DeleteItem, DescribeTable…: the action of the same name.
      return [{ action: `dynamodb:${operation}`, resource: tableArn(scope, field(call, 'TableName')) }];
  }
}
