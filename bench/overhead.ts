/**
 * Execute overhead on the local stack, simulator at 0 ms per step: from CreateExecute's answer to
 * the record being `success`, minus ComfyUI's (the simulator's) own run, split by stage from the
 * record's times and the container's timings. No target yet: the point is the largest stage.
 */
import { tinyTxt2imgPrompt } from '../test/fixtures/prompts';
import { startBenchStack } from './local-bench';
import { percentiles } from './stats';

export const OVERHEAD_STAGES = [
  'queue hand-off (create answered → container claims)',
  'claim (conditional write)',
  'ComfyUI hand-off (websocket, POST /prompt)',
  'output upload',
  'answer → SageMaker notification',
  'notification → record success',
] as const;

export interface OverheadResult {
  executes: number;
  images: number;
  overheadMs: { p50: number; p99: number };
  comfyuiMs: { p50: number; p99: number };
  stages: { stage: string; p50: number; p99: number }[];
  largest: string;
}

const ms = (iso: unknown) => (typeof iso === 'string' ? Date.parse(iso) : Number.NaN);
const pct = (values: number[]) => percentiles(values, 2);

/** `images`: how many images each execute saves (the latent's batch size): each is one output upload. */
export async function benchOverhead(executes: number, images = 1): Promise<OverheadResult> {
  const bench = await startBenchStack();
  try {
    const stages = OVERHEAD_STAGES.map((): number[] => []);
    const overhead: number[] = [];
    const comfyui: number[] = [];
    for (let i = 0; i < executes; i++) {
      const prompt = tinyTxt2imgPrompt(i);
      prompt['5'].inputs.batch_size = images;
      const { status, body } = await bench.api.request('POST', 'executes', { prompt });
      const answered = Date.now();
      if (status !== 201) throw new Error(`create: ${status}`);
      const id = (body as { data: { prompt_id: string } }).data.prompt_id;
      let record: Record<string, unknown> | undefined;
      for (;;) {
        record = await bench.readRecord(id);
        if (record?.status === 'success' || record?.status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const seen = Date.now();
      if (record.status !== 'success') throw new Error(`execute ${id} failed: ${record.message}`);
      const t = (record.timings ?? {}) as Record<string, number>;
      const claimedAt = ms(record.start_time);
      const containerAnswered = claimedAt + t.total_ms!;
      const notified = ms(record.complete_time);
      const values = [
        claimedAt - answered,
        t.claim_ms ?? 0,
        t.handoff_ms ?? 0,
        t.upload_ms ?? 0,
        notified - containerAnswered,
        seen - notified,
      ];
      for (const [index, value] of values.entries()) stages[index]!.push(value);
      comfyui.push(t.comfyui_ms ?? 0);
      overhead.push(seen - answered - (t.comfyui_ms ?? 0));
    }
    const rows = OVERHEAD_STAGES.map((stage, index) => ({ stage, ...pct(stages[index]!) }));
    return {
      executes,
      images,
      overheadMs: pct(overhead),
      comfyuiMs: pct(comfyui),
      stages: rows,
      largest: [...rows].sort((a, b) => b.p50 - a.p50)[0]!.stage,
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
