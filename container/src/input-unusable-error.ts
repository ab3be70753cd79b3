/** An input the run cannot use: the execute fails with this reason before ComfyUI sees the prompt. */
export class InputUnusableError extends Error {
  constructor(
    message: string,
    /** 'refused': the input itself is wrong; 'unavailable': its source could not be read now. */
    readonly kind: 'refused' | 'unavailable',
  ) {
    super(message);
  }
}
