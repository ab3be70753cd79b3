import { InputNotFoundError } from '../domain/errors';
import type { InputStore } from '../domain/ports';

/** DeleteInput: removes one of the caller's inputs (an execute still queued with it then fails, naming it). */
export async function deleteInput(name: string, owner: string, deps: { inputs: InputStore }): Promise<void> {
  if (!(await deps.inputs.delete(owner, name))) throw new InputNotFoundError(`no input named '${name}'`);
}
