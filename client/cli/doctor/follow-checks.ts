import { type Check, CheckFailed } from './runner';
import type { DoctorState, RunEvidence } from './state';

/** The relay posts within a second or two of the record's write; this is many times that. */
const SOCKET_WAIT_MS = 20_000;
/** A first delivery lands in seconds; this leaves room for one retry (10 s backoff, jittered). */
const WEBHOOK_WAIT_MS = 60_000;

function evidenceOf(state: DoctorState, endpoint: string): RunEvidence {
  const evidence = state.runs?.get(endpoint);
  if (!evidence) throw new CheckFailed('the run check left no execute to follow');
  return evidence;
}

/**
 * (10, with --run) The run's execute, followed over ComfyUI's websocket: its `execution_success`
 * reached the socket opened with its client_id. This proves, on AWS, that `$connect` carried the
 * key's id (the relay sends a prompt only to its owner's connections) and that the executes
 * table's stream feeds the relay.
 */
export function socketFollowCheck(state: DoctorState, endpoint: string): Check {
  return {
    name: 'run-websocket',
    title: 'the execute, followed over the websocket',
    endpoint,
    needs: ['websocket', `run:${endpoint}`],
    async run() {
      const { promptId, socket } = evidenceOf(state, endpoint);
      if (!socket)
        throw new CheckFailed(
          'the websocket did not open for the run',
          'see the ComfyUI websocket check above; run doctor again',
        );
      const types = await socket.successOf(promptId, SOCKET_WAIT_MS);
      if (!types)
        throw new CheckFailed(
          `the execute ${promptId} succeeded but its socket got no execution_success within ${SOCKET_WAIT_MS / 1000} s`,
          "the executes table's stream feeds the ComfyuiEvents function: check its logs and its iterator-age and dead-letter alarms",
        );
      return `execution_success reached this client's socket (${types.length} messages: ${[...new Set(types)].join(', ')})`;
    },
  };
}

/**
 * (11, with --run, when a receiver exists: --webhook-url, or our own on a local stack) The run's
 * `success` webhook delivered: the stream's second reader woke for it (its event filter on the
 * record's webhook), queued it on the FIFO queue, and the delivery function posted it.
 */
export function webhookFollowCheck(state: DoctorState, endpoint: string): Check {
  return {
    name: 'run-webhook',
    title: 'the execute, delivered as a webhook',
    endpoint,
    needs: [`run:${endpoint}`],
    async run() {
      const { promptId, webhook } = evidenceOf(state, endpoint);
      if (!webhook) throw new CheckFailed('the run had no webhook', 'give --webhook-url');
      const deadline = Date.now() + WEBHOOK_WAIT_MS;
      let view = await state.client.get(promptId);
      while (
        view.webhook?.status !== 'delivered' &&
        view.webhook?.status !== 'failed' &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        view = await state.client.get(promptId);
      }
      const delivery = view.webhook;
      if (delivery?.status !== 'delivered')
        throw new CheckFailed(
          `the success webhook to ${webhook.url} is ${delivery ? `\`${delivery.status}\` after ${delivery.attempts} attempt(s)${delivery.last_error ? ` (${delivery.last_error})` : ''}` : 'not on the record'} ${WEBHOOK_WAIT_MS / 1000} s after the execute succeeded`,
          delivery?.last_error
            ? 'the receiver refused or did not answer: check it, then the DeliverWebhooks function logs'
            : 'check the DispatchWebhooks and DeliverWebhooks function logs, and the webhook dead-letter alarm',
        );
      if (webhook.received) {
        const ours = webhook.received.filter((r) => r.promptId === promptId);
        if (!ours.some((r) => r.type === 'execute.success'))
          throw new CheckFailed(
            `the record says delivered, but the receiver got ${ours.length} request(s) for ${promptId} and no success`,
          );
        if (!ours.every((r) => r.signed))
          throw new CheckFailed('a delivery came without its webhook-signature header');
      }
      return `delivered \`${delivery.event}\` to ${webhook.received ? 'a receiver on this machine' : webhook.url} in ${delivery.attempts} attempt(s)${webhook.received ? ', signed' : ''}`;
    },
  };
}
