/**
 * A run by name against CreateExecute of the same prompt (issue 29): the AWS calls each request
 * makes through the handler's own clients (counted by SDK middleware), and their latency over
 * HTTP, interleaved so both see the same load. The target: at most one extra read (the template).
 */
import type { ProxyHandler } from 'aws-lambda';
import { AwsCallCounter, type AwsCallCounts, totalCalls } from '../lambda/platform/aws-call-counter';
import { documentClient, s3Client, sageMakerRuntimeClient } from '../lambda/platform/clients';
import { HTTP_HANDLERS } from '../local/handler-table';
import { tinyTxt2imgPrompt } from '../test/fixtures/prompts';
import { startBenchStack } from './local-bench';
import { quantile } from './stats';

export interface TemplateRunResult {
  createExecuteCalls: AwsCallCounts;
  runByNameCalls: AwsCallCounts;
  /** Calls a run by name makes beyond CreateExecute's, by call (target: one S3.GetObject). */
  extraCalls: AwsCallCounts;
  extraTotal: number;
  createMs: { p50: number; p99: number };
  runByNameMs: { p50: number; p99: number };
}

const extra = (run: AwsCallCounts, create: AwsCallCounts): AwsCallCounts =>
  Object.fromEntries(
    Object.entries(run)
      .map(([name, n]) => [name, n - (create[name] ?? 0)] as const)
      .filter(([, n]) => n !== 0),
  );

export async function benchTemplateRun(samples: number): Promise<TemplateRunResult> {
  const bench = await startBenchStack();
  const { api, region, untilFinal } = bench;
  try {
    const saved = await api.request('POST', 'schemas', { name: 'tiny', payload: tinyTxt2imgPrompt(1) });
    if (saved.status !== 200) throw new Error(`CreateSchema: ${saved.status} ${JSON.stringify(saved.body)}`);
    const counter = new AwsCallCounter();
    for (const client of [
      documentClient({ region }),
      s3Client({ region, s3ForcePathStyle: true }),
      sageMakerRuntimeClient({ region }),
    ])
      counter.attach(client);
    const handlers = HTTP_HANDLERS as Record<string, ProxyHandler>;
    const inner = handlers['create-execute']!;
    let last: AwsCallCounts = {};
    handlers['create-execute'] = (event, context, callback) =>
      counter.run(async (calls) => {
        const result = await inner(event, context, callback);
        last = calls();
        return result;
      }) as ReturnType<ProxyHandler>;
    const timed = async (path: string, body: unknown) => {
      const started = performance.now();
      const { status, body: answer } = await api.request('POST', path, body);
      const ms = performance.now() - started;
      if (status !== 201) throw new Error(`${path}: ${status} ${JSON.stringify(answer)}`);
      // One execute at a time: the key's cap on unfinished executes is never reached.
      await untilFinal((answer as { data: { prompt_id: string } }).data.prompt_id);
      return { ms, calls: last };
    };
    const create = (seed: number) => timed('executes', { prompt: tinyTxt2imgPrompt(seed) });
    const run = (seed: number) => timed('schemas/tiny/executes', { inputs: { seed } });
    // The first of each fetches the endpoint's catalog (cached after): thrown away.
    await create(0);
    await run(0);
    const createMs: number[] = [];
    const runMs: number[] = [];
    let createCalls: AwsCallCounts = {};
    let runCalls: AwsCallCounts = {};
    for (let i = 1; i <= samples; i++) {
      // Alternating which goes first, so neither always follows the other.
      const pair = i % 2 === 0 ? [await create(i), await run(i)] : [await run(i), await create(i)].reverse();
      createMs.push(pair[0]!.ms);
      runMs.push(pair[1]!.ms);
      createCalls = pair[0]!.calls;
      runCalls = pair[1]!.calls;
    }
    handlers['create-execute'] = inner;
    const extraCalls = extra(runCalls, createCalls);
    const p = (values: number[]) => ({
      p50: Number(quantile(values, 0.5).toFixed(2)),
      p99: Number(quantile(values, 0.99).toFixed(2)),
    });
    return {
      createExecuteCalls: createCalls,
      runByNameCalls: runCalls,
      extraCalls,
      extraTotal: totalCalls(runCalls) - totalCalls(createCalls),
      createMs: p(createMs),
      runByNameMs: p(runMs),
    };
  } finally {
    await bench.stop();
  }
}
