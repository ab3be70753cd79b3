interface KeyState {
  readers: number;
  writing: boolean;
  /** Waiting turns, in order: a writer waits for readers before it, a reader for writers before it. */
  waiting: { exclusive: boolean; grant: () => void }[];
}

/**
 * S3 replaces an object atomically: a read sees the old object or the new one, never a file half
 * rewritten. s3rver rewrites the file in place, so a GET racing a PUT of the same key can send
 * fewer bytes than it announced and stall until its socket times out. The local S3 front takes
 * a key's turn for each object read (shared) and write (exclusive), held until the answer is out.
 */
export class KeyLocks {
  private readonly keys = new Map<string, KeyState>();

  /** Waits for the key's turn; call the answer once done (repeat calls are ignored). */
  async acquire(key: string, exclusive: boolean): Promise<() => void> {
    const state = this.keys.get(key) ?? { readers: 0, writing: false, waiting: [] };
    this.keys.set(key, state);
    const free = exclusive ? !state.writing && state.readers === 0 : !state.writing;
    if (free && state.waiting.length === 0) this.take(state, exclusive);
    else await new Promise<void>((grant) => state.waiting.push({ exclusive, grant }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (exclusive) state.writing = false;
      else state.readers--;
      this.next(key, state);
    };
  }

  private take(state: KeyState, exclusive: boolean) {
    if (exclusive) state.writing = true;
    else state.readers++;
  }

  /** Grants the turns now possible, in order; forgets a key nobody holds or waits for. */
  private next(key: string, state: KeyState) {
    while (state.waiting.length > 0) {
      const head = state.waiting[0]!;
      const free = head.exclusive ? !state.writing && state.readers === 0 : !state.writing;
      if (!free) break;
      state.waiting.shift();
      this.take(state, head.exclusive);
      head.grant();
    }
    if (!state.writing && state.readers === 0 && state.waiting.length === 0) this.keys.delete(key);
  }
}
