import { describe, expect, it } from 'vitest';
import { openBrowserToken, sealBrowserToken } from '../../../lambda/domain/browser-token';

const KEY = Buffer.alloc(32, 7);
const NOW = new Date('2026-12-06T12:00:00.000Z');
const claims = {
  keyId: 'abc123keyid',
  keyValue: 'K3yValueOfTwentyChars0123456789',
  expiresAt: NOW.getTime() / 1000 + 600,
};

describe('browser tokens', () => {
  it('open to the claims they were sealed with, and carry no claim in the clear', () => {
    const token = sealBrowserToken(claims, KEY);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(openBrowserToken(token, KEY, NOW)).toEqual({ ok: true, claims });
    const decoded = Buffer.from(token.slice(3), 'base64url').toString('latin1');
    for (const part of [claims.keyId, claims.keyValue, String(claims.expiresAt)])
      expect(decoded).not.toContain(part);
    // A fresh IV each time: two tokens of one key and expiry differ.
    expect(sealBrowserToken(claims, KEY)).not.toBe(token);
  });

  it('refuse every altered byte, another deployment’s key, and a truncated token as forged or malformed', () => {
    const token = sealBrowserToken(claims, KEY);
    const bytes = Buffer.from(token.slice(3), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const altered = Buffer.from(bytes);
      altered[i]! ^= 0x01;
      const opened = openBrowserToken(`v1.${altered.toString('base64url')}`, KEY, NOW);
      expect(opened.ok, `byte ${i}`).toBe(false);
    }
    expect(openBrowserToken(token, Buffer.alloc(32, 8), NOW)).toMatchObject({ ok: false, reason: 'forged' });
    expect(openBrowserToken(token.slice(0, 20), KEY, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    for (const malformed of [
      '',
      'v1',
      'v1.',
      'v2.abc',
      `${token}.x`,
      `v1.${'+'.repeat(40)}`,
      claims.keyValue,
    ])
      expect(openBrowserToken(malformed, KEY, NOW), malformed).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
  });

  it('expire at their time, with a message that says when and where to get another', () => {
    const token = sealBrowserToken(claims, KEY);
    expect(openBrowserToken(token, KEY, new Date(claims.expiresAt * 1000 - 1)).ok).toBe(true);
    expect(openBrowserToken(token, KEY, new Date(claims.expiresAt * 1000))).toEqual({
      ok: false,
      reason: 'expired',
      message: 'the token expired at 2026-12-06T12:10:00.000Z: get a new one from GET /comfyui/token',
    });
  });

  it('need a 32-byte key', () => {
    expect(() => sealBrowserToken(claims, Buffer.alloc(16))).toThrow('32 bytes');
  });
});
