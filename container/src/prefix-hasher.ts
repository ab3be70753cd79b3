import { Worker } from 'node:worker_threads';

/**
 * The worker's whole program. It runs from a string because the adapter ships as one bundled
 * file (esbuild), where a worker script path would not exist. Reads are synchronous: the worker's
 * thread does nothing else, and the main thread never waits on them.
 */
const HASHING_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const hash = createHash('sha256');
const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
let fd;
let hashed = 0;
parentPort.on('message', ({ to, digest }) => {
  try {
    if (fd === undefined) fd = openSync(workerData.path, 'r');
    while (hashed < to) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, to - hashed), hashed);
      if (read === 0) throw new Error('the file ends at ' + hashed + ' bytes, not ' + to);
      hash.update(buffer.subarray(0, read));
      hashed += read;
    }
    if (digest) {
      closeSync(fd);
      parentPort.postMessage({ digest: hash.digest('hex') });
    }
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
`;

/**
 * SHA-256 of a file being written front to back in pieces: each newly completed stretch is read
 * back (from the page cache, just written) and hashed on a thread of its own, so the hashing
 * takes another core instead of the event loop that drives the download.
 */
export class PrefixHasher {
  private readonly worker: Worker;
  private target = 0;
  private readonly outcome: Promise<string>;

  constructor(path: string) {
    this.worker = new Worker(HASHING_THREAD, { eval: true, workerData: { path } });
    this.outcome = new Promise<string>((resolve, reject) => {
      this.worker.once('message', (message: { digest?: string; error?: string }) =>
        message.digest ? resolve(message.digest) : reject(new Error(`hashing failed: ${message.error}`)),
      );
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`the hashing thread ended (${code})`)));
    });
    // A download that fails never asks for the digest; its rejection is not an unhandled one.
    this.outcome.catch(() => {});
  }

  /** The file's first `bytes` bytes are written and may be hashed. */
  advanceTo(bytes: number) {
    if (bytes <= this.target) return;
    this.target = bytes;
    this.worker.postMessage({ to: bytes });
  }

  /** The hex SHA-256 of the file's first `size` bytes, once they are hashed. */
  async digest(size: number): Promise<string> {
    this.worker.postMessage({ to: size, digest: true });
    try {
      return await this.outcome;
    } finally {
      await this.close();
    }
  }

  /** Stops the thread; after a failed download, or once the digest is in. */
  async close() {
    await this.worker.terminate();
  }
}
