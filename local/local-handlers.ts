import type { Context, SNSEvent } from 'aws-lambda';
import type { ProxyHandler } from './api-gateway';
import { invokeLocally, LOCAL_REGION as REGION } from './lambda-context';
import type { SocketAuthorizer } from './websocket-authorization';

/** SNS → Lambda is asynchronous: a throwing handler is retried twice, then the message would go to the DLQ. */
export async function deliverNotification(
  handler: (event: SNSEvent, context?: Context) => Promise<void>,
  event: SNSEvent,
  log: (part: string, line: string) => void,
) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await invokeLocally('on-async-result', REGION, handler, event);
    } catch (error) {
      log('sns', `OnAsyncResult attempt ${attempt} failed: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
  log(
    'sns',
    `OnAsyncResult failed 3 times; on AWS this message would now be in the dead-letter queue: ${event.Records[0]?.Sns.Message}`,
  );
}

/** The deployed handler functions, imported after the environment they read is in place. */
export async function loadHandlers() {
  const [routes, onAsync, sweeper, socket, authorizer, events, dispatch, deliver, importModel, env, clients] =
    await Promise.all([
      import('./handler-table'),
      import('../lambda/handlers/on-async-result'),
      import('../lambda/handlers/sweeper'),
      import('../lambda/handlers/comfyui-socket'),
      import('../lambda/handlers/comfyui-socket-authorizer'),
      import('../lambda/handlers/comfyui-events'),
      import('../lambda/handlers/dispatch-webhooks'),
      import('../lambda/handlers/deliver-webhooks'),
      import('../lambda/handlers/import-model'),
      import('../lambda/platform/env'),
      import('../lambda/platform/clients'),
    ]);
  return {
    http: routes.HTTP_HANDLERS as Record<keyof typeof routes.HTTP_HANDLERS, ProxyHandler>,
    onAsyncResult: onAsync.handler,
    sweeper: sweeper.handler,
    comfyuiSocket: socket.handler,
    comfyuiSocketAuthorizer: authorizer.handler as unknown as SocketAuthorizer,
    comfyuiEvents: events.handler,
    dispatchWebhooks: dispatch.handler,
    deliverWebhooks: deliver.handler,
    importModel: importModel.handler,
    resetEnvironment: () => {
      env.resetParsedEnv();
      clients.resetClients();
    },
  };
}
