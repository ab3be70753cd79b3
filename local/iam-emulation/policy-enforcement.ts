import { onClientBuilt } from '../../lambda/platform/clients';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../lambda-context';
import type { Denial } from './access-denied';
import { functionPrincipal } from './function-principal';
import { LOCAL_SOCKET_API_ID, localResourceNames } from './local-policies';
import { runningFunction } from './running-function';
import { attachPolicyCheck } from './sdk-middleware';

const SCOPE = { region: LOCAL_REGION, account: LOCAL_ACCOUNT_ID, socketApiId: LOCAL_SOCKET_API_ID };

type Reporter = (denial: Denial) => void;
const reporters = new Set<Reporter>();
let installed = false;

/**
 * From now on every call a handler makes through lambda/platform/clients.ts is held to its own
 * function's policy (the invocation's function: local/lambda-context.ts), as IAM holds it on AWS;
 * `report` hears each refusal. A call outside any invocation (the stack itself, a test) is not
 * checked. Enforcement stays for the life of the process (clients keep the middleware); the
 * returned function stops the report.
 */
export function enforceFunctionPolicies(report: Reporter): () => void {
  if (!installed) {
    onClientBuilt((client) =>
      attachPolicyCheck(client, {
        principalOf: (call) => {
          const functionName = runningFunction();
          // The names are read per call: the stack sets some (the websocket's URL) after handlers load.
          return functionName === undefined
            ? undefined
            : functionPrincipal(functionName, call, localResourceNames(), SCOPE);
        },
        scope: SCOPE,
        report: (denial) => {
          for (const listener of reporters) listener(denial);
        },
      }),
    );
    installed = true;
  }
  reporters.add(report);
  return () => {
    reporters.delete(report);
  };
}
