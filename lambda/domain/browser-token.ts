import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Browser tokens: what a browser ComfyUI client puts in a URL where it cannot send `x-api-key`
 * (a WebSocket's `?token=`, an `<img src>`). A token is the API key's id and value sealed with
 * AES-256-GCM under this deployment's token key, with an expiry: the key itself never appears in
 * a URL, a token cannot be altered or made up without the token key, and it dies by itself. The
 * websocket's authorizer hands the opened key to API Gateway, which checks it as it checks any
 * key (enabled, in the usage plan), so a token is never worth more than its key.
 */
export interface BrowserTokenClaims {
  /** The API key's id: the owner of everything the token reaches. */
  keyId: string;
  /** The API key's value, for API Gateway's own key check at the websocket's `$connect`. */
  keyValue: string;
  /** Unix seconds. */
  expiresAt: number;
}

/** Where a function finds the 32-byte key browser tokens are sealed with. */
export interface TokenKeySource {
  /** The key; undefined when none exists yet (no token was ever issued, so none can be valid). */
  current(): Promise<Buffer | undefined>;
}

export const BROWSER_TOKEN_SECONDS = { default: 600, min: 60, max: 3600 } as const;

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Binds the ciphertext to this use, so no other AES-GCM output under the same key opens as a token. */
const ASSOCIATED_DATA = Buffer.from('comfy-exec browser token v1');

export type OpenedToken =
  | { ok: true; claims: BrowserTokenClaims }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired'; message: string };

function checkedKey(key: Buffer): Buffer {
  if (key.length !== 32) throw new Error(`the token key must be 32 bytes, not ${key.length}`);
  return key;
}

export function sealBrowserToken(claims: BrowserTokenClaims, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', checkedKey(key), iv);
  cipher.setAAD(ASSOCIATED_DATA);
  const plain = JSON.stringify({ i: claims.keyId, k: claims.keyValue, e: claims.expiresAt });
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url')}`;
}

const refused = (reason: 'malformed' | 'forged' | 'expired', message: string): OpenedToken => ({
  ok: false,
  reason,
  message,
});

/** The token's claims when this deployment sealed it and it has not expired at `now`. */
export function openBrowserToken(token: string, key: Buffer, now: Date): OpenedToken {
  const [version, body, ...rest] = token.split('.');
  if (version !== VERSION || !body || rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(body))
    return refused('malformed', 'the token is not one GET /comfyui/token issued');
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES)
    return refused('malformed', 'the token is not one GET /comfyui/token issued');
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', checkedKey(key), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(ASSOCIATED_DATA);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    plain = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return refused('forged', 'the token was not issued by this deployment, or was altered');
  }
  const parsed = JSON.parse(plain) as { i?: unknown; k?: unknown; e?: unknown };
  if (typeof parsed.i !== 'string' || typeof parsed.k !== 'string' || typeof parsed.e !== 'number')
    return refused('malformed', 'the token is not one GET /comfyui/token issued');
  if (parsed.e * 1000 <= now.getTime())
    return refused(
      'expired',
      `the token expired at ${new Date(parsed.e * 1000).toISOString()}: get a new one from GET /comfyui/token`,
    );
  return { ok: true, claims: { keyId: parsed.i, keyValue: parsed.k, expiresAt: parsed.e } };
}
