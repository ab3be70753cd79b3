import { accessDenied, deniedErrorName, type Principal } from './access-denied';
import { isFunctionName, type LocalResourceNames, localFunctionStatements } from './local-policies';
import { type CheckScope, callName } from './principal-check';
import type { SdkCall } from './sdk-call';

/**
 * A function of the CDK app as IAM sees it locally: its role session (named as lambda-context.ts
 * names the function) and the statements function-statements.ts deploys, with local ARNs. A name
 * that is no function of the app has no policy: its call is refused, saying so.
 */
export function functionPrincipal(
  functionName: string,
  call: SdkCall,
  names: LocalResourceNames,
  scope: CheckScope,
): Principal {
  const session = `comfy-exec-local-${functionName}`;
  const principal = {
    name: functionName,
    sessionArn: `arn:aws:sts::${scope.account}:assumed-role/${session}-role/${session}`,
  };
  const refuse = (reason: string) =>
    accessDenied(
      principal,
      { action: callName(call), resource: '*', reason },
      deniedErrorName(call.clientName, call.commandName),
    );
  if (!isFunctionName(functionName))
    throw refuse(`because ${functionName} is no function of the CDK app (no policy to check)`);
  try {
    return { ...principal, statements: localFunctionStatements(functionName, names, scope) };
  } catch (error) {
    throw refuse(`because the local IAM emulation cannot read its policy: ${(error as Error).message}`);
  }
}
