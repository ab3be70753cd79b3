import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The header a local stack's part sends a token in, where only one caller may be answered: the
 * container answers only the SageMaker emulator, the ComfyUI simulator only the container. On a
 * developer's machine every user can reach loopback, and a port alone protects nothing. Unused in
 * the image: there SageMaker alone reaches the container, and ComfyUI listens inside it.
 */
export const CALLER_TOKEN_HEADER = 'x-comfy-exec-caller-token';

/** Whether the request carries exactly `token` (compared in constant time). */
export function carriesCallerToken(req: IncomingMessage, token: string): boolean {
  const given = req.headers[CALLER_TOKEN_HEADER];
  if (typeof given !== 'string') return false;
  const [a, b] = [Buffer.from(given), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}
