import type { Denial } from './access-denied';

/**
 * The endpoint container runs in a process of its own: it tells the local stack of a denial in
 * one line of its output, which the stack reads as it reads every other line the container writes.
 */
const PREFIX = '[iam-denial] ';

export const denialLine = (denial: Denial) => `${PREFIX}${JSON.stringify(denial)}`;

/** The denial a container output line carries, or undefined for any other line. */
export function parseDenialLine(line: string): Denial | undefined {
  if (!line.startsWith(PREFIX)) return undefined;
  try {
    return JSON.parse(line.slice(PREFIX.length)) as Denial;
  } catch {
    return undefined;
  }
}
