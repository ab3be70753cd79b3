import { describe, expect, it } from 'vitest';
import { buildDebugUrls } from '../../../lambda/http/debug-urls';
import { lambdaRuntimeInfo } from '../../../lambda/platform/lambda-runtime';

/** The envelope's debug links of a function that does not run on AWS (npm start): issue 27. */
const runtime = {
  region: 'us-east-1',
  urlSuffix: 'amazonaws.com',
  functionName: 'comfy-exec-local-getExecute',
  logGroupName: '/aws/lambda/comfy-exec-local-getExecute',
  logStreamName: '2026/12/06/[$LATEST]0123',
  traceHeader: 'Root=1-6740d2a1-0123456789abcdef01234567;Parent=1;Sampled=1',
};
const LOG = 'file:///home/u/.comfy-exec/run/local-stack-4242.log';

describe('debug links of the local stack', () => {
  it('say local and point at its log, with what to search for, under the three keys ESD clients read', () => {
    const urls = buildDebugUrls({ ...runtime, debugLogUrl: LOG });
    expect(urls).toEqual({
      function_url: `${LOG}#local-function=comfy-exec-local-getExecute`,
      log_url: `${LOG}#local-log`,
      trace_url: `${LOG}#local-trace=1-6740d2a1-0123456789abcdef01234567`,
    });
    for (const url of Object.values(urls)) expect(url).not.toContain('console.aws');
  });

  it('come from DEBUG_LOG_URL, which only the local stack sets: deployed, the AWS console links stay', () => {
    const env = {
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: runtime.functionName,
      _X_AMZN_TRACE_ID: runtime.traceHeader,
    };
    expect(lambdaRuntimeInfo({ ...env, DEBUG_LOG_URL: LOG }).debugLogUrl).toBe(LOG);
    const deployed = buildDebugUrls(lambdaRuntimeInfo(env));
    expect(deployed.function_url).toBe(
      'https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1#/functions/comfy-exec-local-getExecute',
    );
    expect(deployed.trace_url).toContain('#xray:traces/1-6740d2a1-0123456789abcdef01234567');
  });
});
