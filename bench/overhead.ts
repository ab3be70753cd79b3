/**
 * Execute overhead on the local stack, simulator at 0 ms per step: what a client waits for beyond
 * ComfyUI's (the simulator's) own run, split by stage from the record's times and the container's
 * timings (container/src/stage-clock.ts: its stages add up to its `total_ms`).
 */

import type { LocalStackOptions } from '../local/local-stack-options';
import { tinyTxt2imgPrompt } from '../test/fixtures/prompts';
import type { ApiClient } from './api-client';
import { startBenchStack } from './local-bench';
import { percentiles } from './stats';

/** The container's stages, in order (`{name}_ms` in the result's timings); ComfyUI's run is `comfyui`. */
export const CONTAINER_STAGES = [
  'claim',
  'inputs',
  'handoff',
  'queue',
  'comfyui',
  'history',
  'upload',
  'cleanup',
] as const;

export interface OverheadResult {
  executes: number;
  images: number;
  /** Create answered → the record final (read every millisecond), minus ComfyUI's run. */
  overheadMs: { p50: number; p99: number };
  /** As a client sees it: create sent → GetExecute (every 20 ms) shows success, minus ComfyUI's run. */
  clientOverheadMs: { p50: number; p99: number };
  comfyuiMs: { p50: number; p99: number };
  /** The container's own share: its total_ms minus ComfyUI's run. */
  containerShareMs: { p50: number; p99: number };
  /** The container's answer → the record final, as GetExecute reads it. */
  answerToVisibleMs: { p50: number; p99: number };
  createMs: { p50: number; p99: number };
  /** Create answered → the container's claim began. */
  queueHandoffMs: { p50: number; p99: number };
  containerStages: { stage: string; p50: number; p99: number }[];
  /** Of the container's total_ms, what no stage accounts for (0 when the stages add up). */
  unaccountedMs: { p50: number; p99: number };
}

const ms = (iso: unknown) => (typeof iso === 'string' ? Date.parse(iso) : Number.NaN);
const pct = (values: number[]) => percentiles(values, 2);

/** When a client polling GetExecute every 20 ms first sees the execute final. */
async function seenByClient(api: ApiClient, id: string): Promise<number> {
  for (;;) {
    const { body } = await api.request('GET', `executes/${id}`);
    const status = (body as { data?: { status?: string } }).data?.status;
    if (status === 'success') return Date.now();
    if (status === 'failed' || status === 'cancelled') throw new Error(`execute ${id} ended ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The simulator's prompt: a tiny txt2img saving `images` PNGs (the latent's batch size). */
function simulatorPrompt(seed: number, images: number) {
  const prompt = tinyTxt2imgPrompt(seed);
  prompt['5'].inputs.batch_size = images;
  return prompt;
}

export interface OverheadOptions {
  /** The stack to measure (default: the simulator at 0 ms per step). */
  stack?: Partial<LocalStackOptions>;
  /** The prompt of execute `seed`, saving `images` files (default: the simulator's txt2img). */
  prompt?: (seed: number, images: number) => Record<string, unknown>;
}

/** `images`: how many images each execute saves: each is one output upload. */
export async function benchOverhead(
  executes: number,
  images = 1,
  options: OverheadOptions = {},
): Promise<OverheadResult> {
  const bench = await startBenchStack(undefined, options.stack);
  const promptOf = options.prompt ?? simulatorPrompt;
  try {
    const series = new Map<string, number[]>();
    const add = (name: string, value: number) => {
      if (!series.has(name)) series.set(name, []);
      series.get(name)!.push(value);
    };
    // Alternating: odd executes are watched by a client polling GetExecute every 20 ms (what a
    // user sees), even ones by reading the record every millisecond (when each stage ended).
    for (let i = 0; i < 2 * executes; i++) {
      const prompt = promptOf(i, images);
      const sent = Date.now();
      const { status, body } = await bench.api.request('POST', 'executes', { prompt });
      const answered = Date.now();
      if (status !== 201) throw new Error(`create: ${status}`);
      add('create', answered - sent);
      const id = (body as { data: { prompt_id: string } }).data.prompt_id;
      if (i % 2 === 1) {
        const seen = await seenByClient(bench.api, id);
        const record = await bench.readRecord(id);
        add('client', seen - sent - Number((record?.timings as Record<string, number>)?.comfyui_ms ?? 0));
        continue;
      }
      let record: Record<string, unknown> | undefined;
      for (;;) {
        record = await bench.readRecord(id);
        if (record?.status === 'success' || record?.status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const seen = Date.now();
      if (record.status !== 'success') throw new Error(`execute ${id} failed: ${record.message}`);
      const t = (record.timings ?? {}) as Record<string, number>;
      const comfyui = t.comfyui_ms ?? 0;
      // The claim's write stamps start_time; the container's clock started just before it.
      const invoked = ms(record.start_time) - (t.claim_ms ?? 0);
      const containerAnswered = invoked + t.total_ms!;
      add('overhead', seen - answered - comfyui);
      add('comfyui', comfyui);
      add('share', t.total_ms! - comfyui);
      add('visible', seen - containerAnswered);
      add('queueHandoff', invoked - answered);
      let staged = 0;
      for (const stage of CONTAINER_STAGES) {
        add(stage, t[`${stage}_ms`] ?? 0);
        staged += t[`${stage}_ms`] ?? 0;
      }
      add('unaccounted', t.total_ms! - staged);
    }
    const of = (name: string) => pct(series.get(name) ?? [0]);
    return {
      executes,
      images,
      overheadMs: of('overhead'),
      clientOverheadMs: of('client'),
      comfyuiMs: of('comfyui'),
      containerShareMs: of('share'),
      answerToVisibleMs: of('visible'),
      createMs: of('create'),
      queueHandoffMs: of('queueHandoff'),
      containerStages: CONTAINER_STAGES.map((stage) => ({ stage, ...of(stage) })),
      unaccountedMs: of('unaccounted'),
    };
  } finally {
    await bench.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(
    JSON.stringify(await benchOverhead(Number(process.argv[2] ?? 30), Number(process.argv[3] ?? 1)), null, 2),
  );
  process.exit(0);
}
