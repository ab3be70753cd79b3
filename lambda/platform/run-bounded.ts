/**
 * Runs `task(0)` … `task(count - 1)`, at most `limit` at once, each index once, started in order.
 * After a task fails no new one starts; those under way are let end (none is left writing into
 * what the caller then closes or aborts), and the first failure is thrown.
 */
export async function runBounded(
  count: number,
  limit: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  if (failed) throw failure;
}
