import type { ExecuteSnapshot } from './webhooks/event-snapshot';
import type { SigningSecrets } from './webhooks/signing-secrets';
import type { WebhookEvent } from './webhooks/webhook-spec';

/*
 * The ports through which clients are told of their executes' changes, apart from the record
 * itself: ComfyUI's websocket connections, and signed webhook deliveries.
 */

/** API Gateway's longest connection (2 h), plus slack: a row past it belongs to a gone connection. */
export const CONNECTION_LIFETIME_SECONDS = 2 * 3600 + 300;

/** One open ComfyUI websocket (API Gateway's connection), and whose it is. */
export interface SocketConnection {
  connection_id: string;
  owner: string;
  /** ComfyUI's `clientId`: the prompts queued with this `client_id` are told to it. */
  client_id: string;
  connected_at: string;
  /** Epoch seconds; DynamoDB TTL removes a row whose `$disconnect` never came. */
  expires_at: number;
  /** Which of its owner's places (under maxConnectionsPerKey) it holds, when there is a cap. */
  slot?: number;
}

/** Where open websocket connections are kept (DynamoDB on AWS and locally). */
export interface ConnectionStore {
  /**
   * Keeps the connection; with a cap, only if one of its owner's `cap` places is free, taken in the
   * same write (false, and nothing kept, when none is).
   */
  open(connection: SocketConnection, cap?: number): Promise<boolean>;
  /** Drops the connection and gives back its place. */
  remove(connectionId: string): Promise<void>;
  ofOwner(owner: string): Promise<SocketConnection[]>;
  /** Whether the connection's row is still there (its `$disconnect` removes it). */
  isOpen(connectionId: string): Promise<boolean>;
}

/** Sends one message down one connection (API Gateway's management API). */
export interface SocketSender {
  /** False when the connection is gone (closed, or never finished connecting). */
  send(connectionId: string, message: { type: string; data: unknown }): Promise<boolean>;
}

/** Each owner's webhook signing secrets (Secrets Manager), created on first use. */
export interface WebhookSecretStore {
  secretsOf(owner: string): Promise<SigningSecrets>;
  /** A new current secret; the previous one keeps signing for ROTATION_GRACE_SECONDS. */
  rotate(owner: string): Promise<SigningSecrets>;
}

/** One webhook delivery to make (an SQS FIFO message, one group per execute). */
export interface WebhookDelivery {
  prompt_id: string;
  event: WebhookEvent;
  /** The same on every attempt: receivers deduplicate by it. */
  webhook_id: string;
  /** The execute when the event happened (absent on deliveries queued before snapshots were). */
  execute?: ExecuteSnapshot;
}

export interface WebhookQueue {
  enqueue(delivery: WebhookDelivery): Promise<void>;
}

/** Signs a payload as Standard Webhooks does: the `webhook-signature` header's value. */
export type WebhookSigner = (secrets: string[], id: string, timestamp: Date, payload: string) => string;

/**
 * POSTs a delivery to `address` (the one the host check approved; the URL's host name is kept
 * for TLS and the Host header): no redirects followed, a short timeout, the answer's body
 * ignored past a small cap.
 */
export interface WebhookPoster {
  post(
    url: string,
    headers: Record<string, string>,
    body: string,
    address: string,
  ): Promise<{ status?: number; error?: string }>;
}
