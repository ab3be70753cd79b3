import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createExecuteTableInput } from '../../lambda/adapters/execute-table';
import { DataStack } from '../../lib/stacks/data-stack';

describe('the executes table in CDK', () => {
  it('has the same keys and indexes as the table the local stack creates', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const template = Template.fromStack(
      new DataStack(app, 'Data', { bucketName: 'comfy-exec-payloads-test' }),
    );
    const local = createExecuteTableInput('executes');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: local.KeySchema,
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table')) as any[];
    const byName = (indexes: any[]) => [...indexes].sort((a, b) => a.IndexName.localeCompare(b.IndexName));
    expect(byName(table.Properties.GlobalSecondaryIndexes)).toEqual(byName(local.GlobalSecondaryIndexes!));
    const sortDefs = (defs: any[]) =>
      [...defs].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName));
    expect(sortDefs(table.Properties.AttributeDefinitions)).toEqual(sortDefs(local.AttributeDefinitions!));
    expect(table.DeletionPolicy).toBe('Retain');
    // The websocket reads every change, old and new image, locally and on AWS.
    expect(table.Properties.StreamSpecification).toEqual({
      StreamViewType: local.StreamSpecification!.StreamViewType,
    });
  });
});
