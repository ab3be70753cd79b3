import { vi } from 'vitest';

/**
 * Collects the EMF lines (`{"_aws": …}`) written to stdout from now until `stop()`, passing every
 * other write through. Powertools Metrics writes them with a Console of its own on process.stdout
 * (outside dev mode), as it does in Lambda, where CloudWatch turns them into metrics.
 */
export function captureEmf() {
  const lines: Record<string, any>[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, ...rest: never[]) => {
    const text = String(chunk);
    if (!text.includes('"_aws"')) return write(chunk as string, ...rest);
    for (const line of text.split('\n')) if (line.includes('"_aws"')) lines.push(JSON.parse(line));
    return true;
  }) as typeof process.stdout.write);
  return { lines, stop: () => spy.mockRestore() };
}

/** Metrics on, outside dev mode (the suite runs with POWERTOOLS_DEV, which turns them off). */
export function emfOn() {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', '');
}
