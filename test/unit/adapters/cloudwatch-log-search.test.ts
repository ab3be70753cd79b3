import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  ResourceNotFoundException,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogSearch } from '../../../lambda/adapters/cloudwatch-log-search';

// Logs Insights has no emulator: its slow and missing-group paths are mocked here.
const logs = mockClient(CloudWatchLogsClient);
const ID = '6a1f4c3e-1b7d-4c55-9a55-2f4d3b1c0e99';
const query = { endpointName: 'comfy-async-x', promptId: ID, from: new Date(0), to: new Date(60_000) };
const search = () =>
  new CloudWatchLogSearch(new CloudWatchLogsClient({ region: 'us-east-1' }), {
    maxWaitMs: 50,
    pollIntervalMs: 10,
  });

beforeEach(() => logs.reset());

describe('CloudWatchLogSearch', () => {
  it("queries the endpoint's log group for the prompt id over the window", async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q1' });
    logs
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Running', results: [] })
      .resolves({
        status: 'Complete',
        results: [
          [
            { field: '@timestamp', value: 't' },
            { field: '@message', value: `{"level":"INFO","message":"ran","prompt_id":"${ID}"}` },
            { field: '@logStream', value: 's' },
          ],
          // What a line may hold that is not this execute's: never answered, whatever the query let through.
          [{ field: '@message', value: `x ${ID}` }],
          [{ field: '@message', value: `{"message":"${ID}","prompt_id":"another"}` }],
          [{ field: '@message', value: `[comfyui] {"prompt_id":"${ID}"}` }],
        ],
      });
    expect(await search().search(query)).toEqual({
      lines: [
        { timestamp: 't', message: `{"level":"INFO","message":"ran","prompt_id":"${ID}"}`, logStream: 's' },
      ],
      complete: true,
    });
    expect(logs).toHaveReceivedCommandWith(StartQueryCommand, {
      logGroupName: '/aws/sagemaker/Endpoints/comfy-async-x',
      startTime: 0,
      endTime: 60,
      queryString: `fields @timestamp, @message, @logStream | filter prompt_id = "${ID}" | sort @timestamp asc | limit 1000`,
    });
  });

  it('stops a query that outlasts its budget and returns what it has as incomplete', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q2' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Running', results: [] });
    logs.on(StopQueryCommand).resolves({ success: true });
    expect(await search().search(query)).toEqual({ lines: [], complete: false });
    expect(logs).toHaveReceivedCommandWith(StopQueryCommand, { queryId: 'q2' });
  });

  it('answers no lines when the endpoint has no log group yet', async () => {
    logs
      .on(StartQueryCommand)
      .rejects(new ResourceNotFoundException({ message: 'Log group does not exist', $metadata: {} }));
    expect(await search().search(query)).toEqual({ lines: [], complete: true });
  });

  it('refuses to put anything but an id into the query text', async () => {
    await expect(search().search({ ...query, promptId: '" | fields @message' })).rejects.toThrow(/refusing/);
    expect(logs).not.toHaveReceivedCommand(StartQueryCommand);
  });
});
