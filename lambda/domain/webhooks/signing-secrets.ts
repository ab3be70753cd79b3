/**
 * An owner's webhook signing secrets (Standard Webhooks: `whsec_` and base64 bytes): the current
 * one, and after a rotation the previous one until its grace ends, so receivers can move over
 * without dropping a delivery. Deliveries are signed with every secret still valid.
 */
export interface SigningSecrets {
  current: string;
  previous?: { secret: string; valid_until: string };
}

/** How long a rotated-out secret keeps signing. */
export const ROTATION_GRACE_SECONDS = 24 * 3600;

/** The secrets after a rotation at `now`: the new one current, the old one valid for the grace. */
export function rotated(secrets: SigningSecrets, fresh: string, now: Date): SigningSecrets {
  return {
    current: fresh,
    previous: {
      secret: secrets.current,
      valid_until: new Date(now.getTime() + ROTATION_GRACE_SECONDS * 1000).toISOString(),
    },
  };
}

/** The secrets a delivery at `now` is signed with: the current one first. */
export function signingSecrets(secrets: SigningSecrets, now: Date): string[] {
  const previous = secrets.previous;
  return previous && Date.parse(previous.valid_until) > now.getTime()
    ? [secrets.current, previous.secret]
    : [secrets.current];
}
