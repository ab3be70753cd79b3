import { describe, expect, it } from 'vitest';
import { updateItemConditionKeys } from '../../../local/iam-emulation/dynamodb-condition-keys';

const call = (input: Record<string, unknown>) => ({
  clientName: 'DynamoDBClient',
  commandName: 'UpdateItemCommand',
  input: { TableName: 'executes', ...input },
});

describe("an UpdateItem's dynamodb:Attributes and dynamodb:ReturnValues", () => {
  it('names the key, every placeholder, bare names and each segment of a path; not values or grammar', () => {
    const keys = updateItemConditionKeys(
      call({
        Key: { prompt_id: { S: 'p' } },
        UpdateExpression: 'SET #a = if_not_exists(#a, :zero), #m.#k = :v REMOVE pending ADD tally :one',
        ConditionExpression: 'attribute_exists(prompt_id) AND #s IN (:x, :y) AND NOT begins_with(label, :p)',
        ExpressionAttributeNames: {
          '#a': 'cancel_requested',
          '#m': 'sagemaker_raw',
          '#k': 'x',
          '#s': 'status',
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    expect([...keys['dynamodb:Attributes']!].sort()).toEqual(
      ['cancel_requested', 'label', 'pending', 'prompt_id', 'sagemaker_raw', 'status', 'tally', 'x'].sort(),
    );
    expect(keys['dynamodb:ReturnValues']).toBe('UPDATED_NEW');
  });

  it('counts a mapped name the expressions never use, and ReturnValues NONE when not sent', () => {
    const keys = updateItemConditionKeys(
      call({
        Key: { prompt_id: { S: 'p' } },
        UpdateExpression: 'SET #a = :v',
        ExpressionAttributeNames: { '#a': 'progress', '#unused': 'owner' },
      }),
    );
    expect(keys['dynamodb:Attributes']).toEqual(expect.arrayContaining(['prompt_id', 'progress', 'owner']));
    expect(keys['dynamodb:ReturnValues']).toBe('NONE');
  });
});
