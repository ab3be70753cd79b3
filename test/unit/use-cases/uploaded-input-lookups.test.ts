import { describe, expect, it } from 'vitest';
import { PromptValidationError, RequestValidationError } from '../../../lambda/domain/errors';
import { mintUploadedInputName } from '../../../lambda/domain/inputs/uploaded-input-name';
import { createExecute } from '../../../lambda/use-cases/create-execute';
import { fakeCreateDeps } from '../../fakes/use-case-deps';
import { createInput } from '../../fixtures/prompts';

/** Issue 25: each uploaded-input name a prompt uses is one lookup before the create answers. */
describe('CreateExecute: uploaded inputs named per execute', () => {
  it('refuses a prompt naming more uploaded inputs than an execute may bring, before any lookup', async () => {
    const { deps } = fakeCreateDeps();
    let lookups = 0;
    const find = deps.inputs.find.bind(deps.inputs);
    deps.inputs.find = (owner, wanted) => {
      lookups++;
      return find(owner, wanted);
    };
    const names = Array.from({ length: 101 }, (_, i) =>
      mintUploadedInputName('cat.png', new Date('2026-12-01T00:00:00Z'), `${i}`.padStart(8, 'a')),
    );
    const prompt = Object.fromEntries(
      names.flatMap((each, i) => [
        [`${i}a`, { class_type: 'LoadImage', inputs: { image: each } }],
        [`${i}b`, { class_type: 'SaveImage', inputs: { images: [`${i}a`, 0], filename_prefix: 'x' } }],
      ]),
    );
    const attempt = createExecute(createInput({ prompt }), 'key-a', deps);
    await expect(attempt).rejects.toThrow(/name 101 different uploaded inputs; at most 100 per execute/);
    await expect(attempt).rejects.toThrow(RequestValidationError);
    expect(lookups).toBe(0);
    // At the bound, every name is looked up (and unknown ones answer as ComfyUI would).
    const within = Object.fromEntries(Object.entries(prompt).slice(0, 200));
    await expect(createExecute(createInput({ prompt: within }), 'key-a', deps)).rejects.toThrow(
      PromptValidationError,
    );
    expect(lookups).toBe(100);
  });
});
