import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ExecuteTable } from '../constructs/execute-table';

/** Stateful resources, deployed apart from the compute that uses them. */
export class DataStack extends Stack {
  readonly executeTable: ExecuteTable;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.executeTable = new ExecuteTable(this, 'Executes');
  }
}
