import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbExecuteStore } from '../../../lambda/adapters/dynamodb-execute-store';
import {
  DynamoDbRunningRecordStore,
  RUNNING_RECORD_ATTRIBUTES,
} from '../../../lambda/adapters/dynamodb-running-record-store';
import { createExecuteTableInput } from '../../../lambda/adapters/execute-table';
import { endpointRolePrincipal } from '../../../local/iam-emulation/endpoint-role-principal';
import { checkCall } from '../../../local/iam-emulation/principal-check';
import type { SdkCall } from '../../../local/iam-emulation/sdk-call';
import { refusalOf } from './refusal-of';

const SCOPE = { region: 'us-east-1', account: '123456789012', socketApiId: 'localsocketapi' };
const role = endpointRolePrincipal(
  { ENDPOINT_NAME: 'comfy-async-local', BUCKET_NAME: 'payloads', TABLE_NAME: 'executes' },
  SCOPE,
);
const KEY = { prompt_id: '5f0e2c1a-8d7b-4c3e-9a1f-2b6d4e8c0a7f', owner: 'e2eKeyAaaaaaaaaaaaaa' };

/** The UpdateItem inputs a store sends (answered as DynamoDB would with nothing to return). */
function sentBy<T>(make: (client: DynamoDBDocumentClient) => T) {
  const sent: SdkCall[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      // lib-dynamodb's commands, as the DynamoDB client sends them.
      const commandName =
        command.constructor.name === 'TransactWriteCommand'
          ? 'TransactWriteItemsCommand'
          : 'UpdateItemCommand';
      sent.push({ clientName: 'DynamoDBClient', commandName, input: command.input });
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { store: make(client), sent };
}

const refusal = (call: SdkCall) => refusalOf(() => checkCall(role, call, SCOPE))?.message;

const update = (names: Record<string, string>, ReturnValues?: string): SdkCall => ({
  clientName: 'DynamoDBClient',
  commandName: 'UpdateItemCommand',
  input: {
    TableName: 'executes',
    Key: { prompt_id: KEY.prompt_id },
    UpdateExpression: `SET ${Object.keys(names)
      .map((name, i) => `${name} = :v${i}`)
      .join(', ')}`,
    ExpressionAttributeNames: names,
    ...(ReturnValues ? { ReturnValues } : {}),
  },
});

describe("the endpoint role's record writes: only what a running execute's container writes", () => {
  it('allows the claim and every progress write exactly as the container sends them', async () => {
    const { store, sent } = sentBy((client) => new DynamoDbRunningRecordStore(client, 'executes'));
    await store.update(KEY, {
      from: ['created'],
      set: { status: 'running', start_time: '2026-12-06T11:00:00Z' },
    });
    await store.update(KEY, {
      from: ['running'],
      set: {
        progress: { value: 3, max: 20, node: '3', percent: 15 },
        current_node: '3',
        started_nodes: ['4', '5', '3'],
      },
    });
    expect(sent).toHaveLength(2);
    for (const call of sent) expect(refusal(call)).toBeUndefined();
  });

  it('refuses the same write as the shared store sends it: ALL_NEW reads past the list', async () => {
    const { store, sent } = sentBy((client) => new DynamoDbExecuteStore(client, 'executes'));
    await store.update(KEY, { from: ['running'], set: { current_node: '3' } });
    expect(refusal(sent[0]!)).toMatch(/not authorized to perform: dynamodb:UpdateItem/);
  });

  it('allows the completion as the container sends it: the record and the owner’s count, in one transaction', async () => {
    const { store, sent } = sentBy((client) => new DynamoDbRunningRecordStore(client, 'executes'));
    await store.complete(KEY, {
      from: ['running'],
      set: {
        status: 'success',
        complete_time: '2026-12-07T10:00:00Z',
        message: '',
        outputs: { '9': { images: [{ filename: 'a.png', subfolder: '', type: 'output', key: 'a.png' }] } },
        output_path: 's3://payloads/outputs/x/',
        output_files: ['a.png'],
        temp_path: '',
        temp_files: [],
        timings: { total_ms: 40 },
      },
    });
    expect(sent.map((call) => call.commandName)).toEqual(['TransactWriteItemsCommand']);
    expect(refusal(sent[0]!)).toBeUndefined();
  });

  it('refuses every attribute a container never writes: webhook, request, inference id, SageMaker’s', () => {
    for (const attribute of [
      'webhook',
      'prompt_location',
      'inference_id',
      'expires_at',
      'sagemaker_raw',
      'outputs_location',
      'prompt_path',
    ])
      expect(refusal(update({ '#a': attribute })), attribute).toMatch(/dynamodb:UpdateItem/);
    expect(refusal(update({ '#a': 'progress' }))).toBeUndefined();
    expect(refusal(update({ '#a': 'progress' }, 'ALL_OLD'))).toMatch(/dynamodb:UpdateItem/);
  });

  it('lists every key of the table and its indexes, as IAM requires of an attribute list', () => {
    const table = createExecuteTableInput('executes');
    const keys = [
      ...table.KeySchema!,
      ...(table.GlobalSecondaryIndexes ?? []).flatMap((index) => index.KeySchema!),
    ].map((key) => key.AttributeName!);
    expect(RUNNING_RECORD_ATTRIBUTES).toEqual(expect.arrayContaining(keys));
  });

  it('will not send a write outside the container’s share, naming it', async () => {
    const { store, sent } = sentBy((client) => new DynamoDbRunningRecordStore(client, 'executes'));
    await expect(
      store.update(KEY, { from: ['running'], set: { status: 'success', message: 'done' } }),
    ).rejects.toThrow(/not message, status success/);
    await expect(
      store.complete(KEY, { from: ['created', 'running'], set: { status: 'failed', webhook: null } }),
    ).rejects.toThrow(/not webhook, from other than running/);
    await expect(store.complete(KEY, { from: ['running'], set: { status: 'running' } })).rejects.toThrow(
      /not status running/,
    );
    expect(sent).toEqual([]);
  });
});
