/** The installer could not make the environment: the image build must stop here (exit 4). */
export class InstallError extends Error {
  override name = 'InstallError';
  constructor(
    message: string,
    /** What to quote under the message: the last lines of git's, pip's or ComfyUI's output. */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}
