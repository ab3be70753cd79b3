import { InputNotFoundError, RequestValidationError } from '../domain/errors';
import { keyProblem } from '../domain/object-key';
import type { InputStore } from '../domain/ports';

/** DeleteInput: removes one of the caller's inputs (an execute still queued with it then fails, naming it). */
export async function deleteInput(name: string, owner: string, deps: { inputs: InputStore }): Promise<void> {
  // The name becomes a key under the caller's prefix: dot segments could leave it where keys are resolved.
  const problem = keyProblem(name);
  if (problem) throw new RequestValidationError(`name '${name}' ${problem}`);
  if (!(await deps.inputs.delete(owner, name))) throw new InputNotFoundError(`no input named '${name}'`);
}
