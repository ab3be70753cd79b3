/**
 * ComfyUI's validation error shapes (POST /prompt 400), reproduced so that clients written
 * against ComfyUI read our edge validation the same way (comfyui-server-api.md §2.2).
 */
export interface ComfyError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

export interface ComfyNodeError {
  errors: ComfyError[];
  dependent_outputs: string[];
  class_type: string;
}

export type ComfyNodeErrors = Record<string, ComfyNodeError>;

/** ComfyUI's `{error, node_errors}` 400 body. */
export interface ComfyValidationFailure {
  error: ComfyError;
  node_errors: ComfyNodeErrors;
}

export function comfyError(
  type: string,
  message: string,
  details = '',
  extraInfo: Record<string, unknown> = {},
): ComfyError {
  return { type, message, details, extra_info: extraInfo };
}
