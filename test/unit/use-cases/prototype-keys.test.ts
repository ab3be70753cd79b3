import { describe, expect, it } from 'vitest';
import { PromptValidationError } from '../../../lambda/domain/errors';
import { dryRunExecute } from '../../../lambda/use-cases/create-execute';
import { fakeCreateDeps } from '../../fakes/use-case-deps';

// Names every plain object answers to: as node ids, class types or input names they must be
// refused like any other unknown name (the fuzzer once got a 500 from a node id "valueOf").
const NAMES = ['valueOf', 'toString', 'constructor', 'hasOwnProperty', '__proto__'];

const dryRun = (prompt: unknown) =>
  dryRunExecute({ prompt } as Parameters<typeof dryRunExecute>[0], 'owner', fakeCreateDeps().deps);

describe('prompts whose names are Object.prototype members', () => {
  for (const name of NAMES) {
    it(`refuses '${name}' as a node id, a class type and a folder name with a validation error`, async () => {
      await expect(dryRun(JSON.parse(`{"${name}": []}`))).rejects.toThrow(PromptValidationError);
      await expect(dryRun(JSON.parse(`{"1": {"class_type": "${name}", "inputs": {}}}`))).rejects.toThrow(
        PromptValidationError,
      );
      await expect(
        dryRun({
          '1': {
            class_type: 'LoraLoaderModelOnly',
            inputs: { lora_name: name, strength_model: 1, model: ['2', 0] },
          },
          '2': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: `${name}.safetensors` } },
          '3': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
        }),
      ).rejects.toThrow(PromptValidationError);
    });
  }
});
