import { AsyncLocalStorage } from 'node:async_hooks';

/** API calls made, by `Service.Operation` (e.g. `DynamoDB.UpdateItem`). */
export type AwsCallCounts = Record<string, number>;

/** Any AWS SDK v3 client (or DynamoDBDocumentClient, which shares its client's stack). */
interface SdkClient {
  middlewareStack: { add(middleware: never, options: never): void; remove(name: string): boolean };
}

const MIDDLEWARE_NAME = 'comfyExecAwsCallCounter';

type Middleware = (
  next: (args: unknown) => Promise<unknown>,
  context: { clientName?: string; commandName?: string },
) => (args: unknown) => Promise<unknown>;

const callName = (context: { clientName?: string; commandName?: string }) =>
  `${(context.clientName ?? 'Unknown').replace(/Client$/, '')}.${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;

/**
 * Counts the API calls each task makes through the attached clients (one count per call, not per
 * retry), however tasks interleave: the count follows the task's async context.
 */
export class AwsCallCounter {
  private readonly tasks = new AsyncLocalStorage<AwsCallCounts>();
  /** Calls made outside any `run` task (the benchmark reads these for handlers it cannot wrap). */
  readonly untracked: AwsCallCounts = {};

  attach<C extends SdkClient>(client: C): C {
    const count: Middleware = (next, context) => async (args) => {
      const counts = this.tasks.getStore() ?? this.untracked;
      const tally = () => {
        const name = callName(context);
        counts[name] = (counts[name] ?? 0) + 1;
      };
      try {
        const result = (await next(args)) as { output?: { presigned?: unknown } } | undefined;
        // Presigning runs the command's middleware too, but stops before the network.
        if (result?.output?.presigned === undefined) tally();
        return result;
      } catch (error) {
        tally();
        throw error;
      }
    };
    client.middlewareStack.add(
      count as never,
      { step: 'initialize', name: MIDDLEWARE_NAME, override: true } as never,
    );
    return client;
  }

  /** Stops counting `client`'s calls (so a measurement that follows pays nothing for the count). */
  detach<C extends SdkClient>(client: C): C {
    client.middlewareStack.remove(MIDDLEWARE_NAME);
    return client;
  }

  /** Runs `task`, handing it a live view of the calls it has made so far. */
  run<T>(task: (calls: () => AwsCallCounts) => Promise<T>): Promise<T> {
    const counts: AwsCallCounts = {};
    return this.tasks.run(counts, () => task(() => ({ ...counts })));
  }
}

/** The sum of a count. */
export const totalCalls = (counts: AwsCallCounts) => Object.values(counts).reduce((sum, n) => sum + n, 0);
