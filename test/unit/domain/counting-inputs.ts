import type { UiNode } from '../../../lambda/domain/workflow/ui-workflow';

/** The node with each read of its `inputs` counted in `probe`: how much a conversion built or walked, without timing it. */
export function countingInputs<T extends UiNode>(node: T, probe: { reads: number }): T {
  const { inputs, ...rest } = node;
  return Object.defineProperty({ ...rest }, 'inputs', {
    enumerable: true,
    get: () => {
      probe.reads++;
      return inputs;
    },
  }) as T;
}
