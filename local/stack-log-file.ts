import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs';

export interface StackLogFile {
  path: string;
  write(text: string): void;
  /** Closes and removes it (the stack has stopped: nothing links to it any more). */
  remove(): void;
}

/**
 * `npm start`'s log as a file, every part's lines as printed: what the envelope's debug links
 * point at locally. Beside the discovery file, in the folder `npm start` checked is this user's
 * alone; readable by this user only (lines carry prompts), created exclusively and never through
 * a link. A file of that name is an ended process's that had this pid, so it is replaced.
 */
export function openStackLogFile(path: string): StackLogFile {
  rmSync(path, { force: true });
  const fd = openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_APPEND,
    0o600,
  );
  let open = true;
  return {
    path,
    write(text) {
      if (open) writeSync(fd, text);
    },
    remove() {
      if (open) closeSync(fd);
      open = false;
      rmSync(path, { force: true });
    },
  };
}
