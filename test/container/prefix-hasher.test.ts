import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PrefixHasher } from '../../container/src/prefix-hasher';

const dir = mkdtempSync(join(tmpdir(), 'prefix-hasher-'));
afterEach(() => rmSync(join(dir, 'file'), { force: true }));

/** Bytes that differ at every offset, so a stretch hashed twice or skipped changes the digest. */
function pseudoRandom(bytes: number, seed: number) {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 2654435761 + seed) >>> 24;
  return out;
}

describe('PrefixHasher: the SHA-256 of a file written front to back, on its own thread', () => {
  it('gives the whole file’s digest when the prefix grows in uneven steps, some repeated', async () => {
    const path = join(dir, 'file');
    const pieces = [pseudoRandom(5_000_001, 1), pseudoRandom(3, 2), pseudoRandom(9_000_000, 3)];
    writeFileSync(path, '');
    const hasher = new PrefixHasher(path);
    let written = 0;
    for (const piece of pieces) {
      appendFileSync(path, piece);
      written += piece.length;
      hasher.advanceTo(written);
      hasher.advanceTo(written - 1);
    }
    const expected = createHash('sha256').update(Buffer.concat(pieces)).digest('hex');
    expect(await hasher.digest(written)).toBe(expected);
  });

  it('hashes only the first `size` bytes asked for', async () => {
    const path = join(dir, 'file');
    const bytes = pseudoRandom(100_000, 4);
    writeFileSync(path, bytes);
    const hasher = new PrefixHasher(path);
    expect(await hasher.digest(60_000)).toBe(
      createHash('sha256').update(bytes.subarray(0, 60_000)).digest('hex'),
    );
  });

  it('fails, naming the shortfall, when the file is shorter than the size asked for', async () => {
    const path = join(dir, 'file');
    writeFileSync(path, pseudoRandom(1_000, 5));
    const hasher = new PrefixHasher(path);
    await expect(hasher.digest(2_000)).rejects.toThrow(/ends at 1000 bytes, not 2000/);
  });

  it('fails when the file does not exist, and can be closed without a digest', async () => {
    const missing = new PrefixHasher(join(dir, 'never-written'));
    await expect(missing.digest(10)).rejects.toThrow(/hashing failed: ENOENT/);
    const abandoned = new PrefixHasher(join(dir, 'file'));
    abandoned.advanceTo(5);
    await abandoned.close();
  });
});
