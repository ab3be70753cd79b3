import type { BuiltClient } from '../../lambda/platform/client-listeners';
import { AccessDeniedError, type Denial, type Principal } from './access-denied';
import { missingObjectAnswer } from './missing-object-answer';
import { type CheckScope, checkCall } from './principal-check';
import type { SdkCall } from './sdk-call';

export const MIDDLEWARE_NAME = 'comfyExecLocalIamPolicy';

interface SignedArgs {
  input: Record<string, unknown>;
  request?: { method?: string; path?: string };
}

export interface PolicyCheckOptions {
  /** Whose policy a call made now is held to; undefined: not checked (not a principal's call). */
  principalOf(call: SdkCall): Principal | undefined;
  scope: CheckScope;
  report(denial: Denial): void;
}

/**
 * Authorizes each call of `client` before it leaves the process, and gives a read of a missing S3
 * key the answer S3 would give the principal. It sits right after the signer: presigning (no call)
 * is done by a middleware placed before the signer that never calls on, so it is never checked;
 * and the signed request's method and path are known there.
 */
export function attachPolicyCheck(client: BuiltClient, options: PolicyCheckOptions): void {
  const reported = (error: unknown) => {
    if (error instanceof AccessDeniedError) options.report(error.denial);
    return error;
  };
  const middleware =
    (next: (args: SignedArgs) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
    async (args: SignedArgs) => {
      const call: SdkCall = {
        clientName: context.clientName ?? 'UnknownClient',
        commandName: context.commandName ?? 'UnknownCommand',
        input: args.input ?? {},
        ...(args.request?.method && args.request.path
          ? { request: { method: args.request.method, path: args.request.path } }
          : {}),
      };
      let principal: Principal | undefined;
      try {
        principal = options.principalOf(call);
        if (principal) checkCall(principal, call, options.scope);
      } catch (error) {
        throw reported(error);
      }
      if (!principal) return next(args);
      try {
        return await next(args);
      } catch (error) {
        throw reported(missingObjectAnswer(principal, call, error) ?? error);
      }
    };
  client.middlewareStack.addRelativeTo(
    middleware as never,
    {
      name: MIDDLEWARE_NAME,
      relation: 'after',
      toMiddleware: 'httpSigningMiddleware',
      override: true,
    } as never,
  );
}
