import { describe, expect, it } from 'vitest';
import { KeyLocks } from '../../local/s3-key-locks';

/** Whether the promise has settled by the time pending callbacks have run. */
async function settled(promise: Promise<unknown>) {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("the local S3 front's key turns: reads of a key never meet a write of it", () => {
  it('lets reads share a key, holds a write until they end, and later reads until the write ends', async () => {
    const locks = new KeyLocks();
    const readA = await locks.acquire('/b/k', false);
    const readB = await locks.acquire('/b/k', false);
    const write = locks.acquire('/b/k', true);
    expect(await settled(write)).toBe(false);
    // A read that comes after a waiting write waits behind it (the write is not starved).
    const readC = locks.acquire('/b/k', false);
    readA();
    expect(await settled(write)).toBe(false);
    readB();
    const releaseWrite = await write;
    expect(await settled(readC)).toBe(false);
    releaseWrite();
    (await readC)();
    // Other keys were never held up, and a release twice changes nothing.
    const other = await locks.acquire('/b/other', true);
    other();
    other();
    expect(await settled(locks.acquire('/b/k', true))).toBe(true);
  });

  it('takes writes of a key one at a time, in order', async () => {
    const locks = new KeyLocks();
    const order: number[] = [];
    const first = await locks.acquire('/b/k', true);
    const second = locks.acquire('/b/k', true).then((release) => {
      order.push(2);
      release();
    });
    const third = locks.acquire('/b/k', true).then((release) => {
      order.push(3);
      release();
    });
    order.push(1);
    first();
    await Promise.all([second, third]);
    expect(order).toEqual([1, 2, 3]);
  });
});
