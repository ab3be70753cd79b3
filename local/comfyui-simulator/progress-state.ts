import type { SimEvent } from './run-prompt';

interface NodeProgress {
  value: number;
  max: number;
  state: 'running' | 'finished';
}

/**
 * ComfyUI's ProgressRegistry with its WebUIProgressHandler (comfy_execution/progress.py): every
 * start, step and finish of a node sends `progress_state` with the state of every node touched
 * so far, in the order they were first touched. A node starts at 0 of 1, a step sets value/max,
 * the finish sets value to max; a node that fails is never finished (checked on ComfyUI 0.3.64,
 * test/fixtures/real-comfyui/*.messages.json). Subgraph nodes do not exist here: a node is its
 * own display and real node, with no parent.
 */
export class ProgressStates {
  private readonly nodes = new Map<string, NodeProgress>();

  constructor(
    private readonly promptId: string,
    private readonly emit: (event: SimEvent) => void,
  ) {}

  start(node: string): void {
    this.set(node, { value: 0, max: 1, state: 'running' });
  }

  update(node: string, value: number, max: number): void {
    this.set(node, { value, max, state: 'running' });
  }

  finish(node: string): void {
    const max = this.nodes.get(node)?.max ?? 1;
    this.set(node, { value: max, max, state: 'finished' });
  }

  private set(node: string, progress: NodeProgress): void {
    this.nodes.set(node, progress);
    const nodes = Object.fromEntries(
      [...this.nodes].map(([id, { value, max, state }]) => [
        id,
        {
          value,
          max,
          state,
          node_id: id,
          prompt_id: this.promptId,
          display_node_id: id,
          parent_node_id: null,
          real_node_id: id,
        },
      ]),
    );
    this.emit({ type: 'progress_state', data: { prompt_id: this.promptId, nodes } });
  }
}
