import { randomInt } from 'node:crypto';
import type { ObjectInfo } from './catalog';
import { runOutputNode, stepsOf } from './node-behaviour';
import { ProgressStates } from './progress-state';
import { type SavedMetadata, savedMetadata } from './saved-metadata';
import type { SimulatorFiles } from './simulator-files';

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

export interface SimEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface QueuedPrompt {
  number: number;
  promptId: string;
  prompt: Prompt;
  extraData: Record<string, unknown>;
  outputs: string[];
  /** The POST /prompt body as sent: what the saved files' metadata is made from (key order, floats). */
  body?: string;
}

export interface HistoryEntry {
  prompt: [number, string, Prompt, Record<string, unknown>, string[]];
  outputs: Record<string, Record<string, unknown>>;
  status: {
    status_str: 'success' | 'error';
    completed: boolean;
    messages: [string, Record<string, unknown>][];
  };
  meta: Record<string, { node_id: string; display_node: string; parent_node: null; real_node_id: string }>;
}

export interface RunEnvironment {
  info: ObjectInfo;
  stepMs: number;
  files: SimulatorFiles;
  emit(event: SimEvent): void;
  interrupted(): boolean;
  /** One write to ComfyUI's terminal (what execution.py logs while a prompt runs). */
  log?(text: string): void;
  /** Tests only: replace a node's reported outputs (to play a misbehaving custom node). */
  rewriteOutput?: (nodeId: string, output: Record<string, unknown>) => Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The nodes the outputs need, each after everything it links to (Kahn's algorithm). */
export function executionOrder(prompt: Prompt, outputs: string[]): string[] {
  const needed = new Set<string>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    for (const value of Object.values(prompt[id]!.inputs ?? {}))
      if (Array.isArray(value) && prompt[value[0] as string]) stack.push(value[0] as string);
  }
  const sources = (id: string) =>
    Object.values(prompt[id]!.inputs ?? {}).flatMap((v) =>
      Array.isArray(v) && needed.has(v[0] as string) ? [v[0] as string] : [],
    );
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < needed.size) {
    const ready = [...needed].filter((id) => !done.has(id) && sources(id).every((s) => done.has(s)));
    if (ready.length === 0) throw new Error('Dependency cycle detected');
    for (const id of ready.sort()) {
      done.add(id);
      order.push(id);
    }
  }
  return order;
}

class SimulatedNodeError extends Error {}

/** PreviewImage/PreviewAudio's `_temp_` suffix: five letters of ComfyUI's alphabet (it has no w). */
const TEMP_LETTERS = 'abcdefghijklmnopqrstupvxyz';

/** The metadata the savers embed, fixed as the run starts (when ComfyUI hashes the loaders' files). */
function metadataOf(queued: QueuedPrompt, env: RunEnvironment): SavedMetadata {
  const body = queued.body ?? JSON.stringify({ prompt: queued.prompt, extra_data: queued.extraData });
  try {
    return savedMetadata(body, env.info, queued.outputs, (name) => env.files.annotatedPath(name));
  } catch {
    return [];
  }
}

/**
 * Raised where `extra_data.simulate.fail_node` points: what a real out-of-memory looks like (the
 * node and its class are in execution_error's own fields, as ComfyUI sends them, not the message).
 */
function failure() {
  return {
    exception_type: 'torch.OutOfMemoryError',
    exception_message: 'Allocation on device 0 would exceed allowed memory. (out of memory)',
    traceback: [
      '  File "/opt/ComfyUI/execution.py", line 496, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n',
      '  File "/opt/ComfyUI/execution.py", line 315, in get_output_data\n    return_values = await _async_map_node_over_list(prompt_id, unique_id, obj, input_data_all, obj.FUNCTION, allow_interrupt=True, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n',
      '  File "/opt/ComfyUI/execution.py", line 277, in process_inputs\n    result = f(**inputs)\n',
      '  File "/opt/ComfyUI/comfy/model_management.py", line 1104, in cast_to_device\n    return tensor.to(device, non_blocking=non_blocking)\n',
    ],
  };
}

/** What execution.py logs for a node's exception: its text, the traceback, and the OOM notice. */
function logFailure(
  details: { exception_type: string; exception_message: string; traceback: string[] },
  env: RunEnvironment,
) {
  env.log?.(`!!! Exception during processing !!! ${details.exception_message}\n`);
  // traceback.format_exc(): the frames, then `type: message`, and the newline logging adds.
  const frames = details.traceback.join('');
  env.log?.(
    `Traceback (most recent call last):\n${frames}${details.exception_type}: ${details.exception_message}\n\n`,
  );
  if (details.exception_type === 'torch.OutOfMemoryError')
    env.log?.('Got an OOM, unloading all loaded models.\n');
}

/** "Executes" a validated prompt: ComfyUI's event sequence, real files, a history entry. */
export async function runPrompt(queued: QueuedPrompt, env: RunEnvironment): Promise<HistoryEntry> {
  const { promptId, prompt } = queued;
  const now = () => Date.now();
  const messages: HistoryEntry['status']['messages'] = [];
  const record = (type: string, data: Record<string, unknown>) => {
    messages.push([type, data]);
    env.emit({ type, data });
  };
  const outputs: HistoryEntry['outputs'] = {};
  const meta: HistoryEntry['meta'] = {};
  const executed: string[] = [];
  const failNode = (queued.extraData.simulate as { fail_node?: unknown } | undefined)?.fail_node;
  const tempPrefix = `ComfyUI_temp_${Array.from({ length: 5 }, () => TEMP_LETTERS[randomInt(TEMP_LETTERS.length)]).join('')}`;
  const progress = new ProgressStates(promptId, env.emit);
  const entry = (status: 'success' | 'error'): HistoryEntry => ({
    prompt: [queued.number, promptId, prompt, queued.extraData, queued.outputs],
    outputs,
    status: { status_str: status, completed: status === 'success', messages },
    meta,
  });

  record('execution_start', { prompt_id: promptId, timestamp: now() });
  record('execution_cached', { nodes: [], prompt_id: promptId, timestamp: now() });
  const metadata = metadataOf(queued, env);
  for (const id of executionOrder(prompt, queued.outputs)) {
    const node = prompt[id]!;
    // As execution.py: the node's progress starts before its `executing`, finishes after `executed`.
    progress.start(id);
    env.emit({ type: 'executing', data: { node: id, display_node: id, prompt_id: promptId } });
    try {
      const steps = stepsOf(node.inputs);
      for (let step = 1; step <= Math.max(steps, 1); step++) {
        await sleep(env.stepMs);
        if (env.interrupted()) {
          env.log?.('Processing interrupted\n');
          record('execution_interrupted', {
            prompt_id: promptId,
            node_id: id,
            node_type: node.class_type,
            executed,
            timestamp: now(),
          });
          return entry('error');
        }
        if (steps > 0) {
          progress.update(id, step, steps);
          env.emit({ type: 'progress', data: { value: step, max: steps, prompt_id: promptId, node: id } });
        }
      }
      if (String(failNode) === id) throw new SimulatedNodeError();
      let ui = env.info[node.class_type]?.output_node
        ? runOutputNode(prompt, id, env.files, tempPrefix, metadata)
        : undefined;
      if (ui && env.rewriteOutput) ui = env.rewriteOutput(id, ui);
      if (ui) {
        outputs[id] = ui;
        meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id };
        env.emit({ type: 'executed', data: { node: id, display_node: id, output: ui, prompt_id: promptId } });
      }
      progress.finish(id);
      executed.push(id);
    } catch (error) {
      const details =
        error instanceof SimulatedNodeError
          ? failure()
          : {
              exception_type: 'Exception',
              exception_message: (error as Error).message,
              traceback: [String((error as Error).stack)],
            };
      logFailure(details, env);
      record('execution_error', {
        prompt_id: promptId,
        node_id: id,
        node_type: node.class_type,
        executed,
        ...details,
        // execution.py: each input as the list of values the node got (a tensor prints as text), and
        // every node id of the prompt (its output cache's keys).
        current_inputs: Object.fromEntries(
          Object.entries(node.inputs).map(([name, value]) => [
            name,
            [
              Array.isArray(value)
                ? `<${prompt[String(value[0])]?.class_type} output ${String(value[1])}>`
                : value,
            ],
          ]),
        ),
        current_outputs: Object.keys(prompt),
        timestamp: now(),
      });
      return entry('error');
    }
  }
  record('execution_success', { prompt_id: promptId, timestamp: now() });
  return entry('success');
}
