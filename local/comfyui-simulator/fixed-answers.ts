import type { HistoryEntry, QueuedPrompt } from './run-prompt';

/** GET /system_stats (comfyui-server-api.md §7): a CPU-only box that admits being a simulator. */
export const SYSTEM_STATS = {
  system: {
    os: 'posix',
    ram_total: 34_359_738_368,
    ram_free: 30_000_000_000,
    comfyui_version: '0.3.x (simulator)',
    python_version: '3.12',
    pytorch_version: 'none',
    embedded_python: false,
    argv: ['main.py', '--listen', '127.0.0.1'],
  },
  devices: [
    {
      name: 'simulated',
      type: 'cpu',
      index: 0,
      vram_total: 0,
      vram_free: 0,
      torch_vram_total: 0,
      torch_vram_free: 0,
    },
  ],
};

/** A prompt the simulator could not even start (an internal error): recorded, never lost. */
export function failedEntry(queued: QueuedPrompt, error: Error): HistoryEntry {
  const data = {
    prompt_id: queued.promptId,
    exception_message: error.message,
    exception_type: error.name,
    timestamp: Date.now(),
  };
  return {
    prompt: [queued.number, queued.promptId, queued.prompt, queued.extraData, queued.outputs],
    outputs: {},
    status: { status_str: 'error', completed: false, messages: [['execution_error', data]] },
    meta: {},
  };
}

/** POST /prompt's 400 for a body it cannot take, in server.py's shape. */
export function promptRefusal(type: string, message: string, details = '') {
  return { error: { type, message, details, extra_info: {} }, node_errors: {} };
}
