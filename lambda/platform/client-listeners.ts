/**
 * Who hears of each AWS client a runtime builds. Nothing listens in Lambda or on SageMaker, so
 * announcing a client costs one empty loop; the local stack listens, to hold each call to the
 * deployed IAM policy of whoever makes it (local/iam-emulation/). No imports: the endpoint
 * container announces its clients too, without loading the Lambda side's.
 */

/** Any AWS SDK v3 client (DynamoDBDocumentClient shares its client's middleware stack). */
export interface BuiltClient {
  middlewareStack: { addRelativeTo(middleware: never, options: never): void };
}
export type ClientListener = (client: BuiltClient) => void;

const listeners = new Set<ClientListener>();

/** Tells every listener of `client`, just built; returns it. */
export function announceClient<C>(client: C): C {
  for (const listener of listeners) listener(client as BuiltClient);
  return client;
}

/** `listener` hears of every client announced from now on. Returns the unsubscribe. */
export function listenForClients(listener: ClientListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
