/**
 * Loaded (`node --import`) into the local stack's endpoint container process before
 * container/src/main.ts: every call of the clients the container announces is held to the
 * statements the CDK app gives the endpoint's execution role, with the local stack's ARNs. Each
 * denial is written as one line of output, which the stack reads and reports.
 */
import { listenForClients } from '../../lambda/platform/client-listeners';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../lambda-context';
import { denialLine } from './denial-lines';
import { endpointRolePrincipal } from './endpoint-role-principal';
import { LOCAL_SOCKET_API_ID } from './local-policies';
import { attachPolicyCheck } from './sdk-middleware';

const scope = {
  region: process.env.AWS_REGION ?? LOCAL_REGION,
  account: LOCAL_ACCOUNT_ID,
  socketApiId: LOCAL_SOCKET_API_ID,
};
const principal = endpointRolePrincipal(process.env, scope);

listenForClients((client) =>
  attachPolicyCheck(client, {
    // One role for the whole process: every call the container makes is the endpoint's.
    principalOf: () => principal,
    scope,
    report: (denial) => process.stderr.write(`${denialLine(denial)}\n`),
  }),
);
