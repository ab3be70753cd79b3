import { DomainError } from '../errors';

/** The workflow cannot be turned into an API prompt; the message names the node. */
export class WorkflowConversionError extends DomainError {
  constructor(
    message: string,
    readonly nodeId?: string,
  ) {
    super(message, nodeId === undefined ? undefined : { node_id: nodeId });
  }
}
