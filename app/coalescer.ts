/**
 * Group commit: calls that arrive together, or while a write is under way, are written
 * together by the next write, in one statement, instead of one statement (and one commit)
 * each. A write waits one turn of the event loop before it starts (setImmediate), so that
 * requests already read from their sockets reach it too: on the embedded database every
 * query runs in this thread, so without that turn no two calls would ever meet.
 */
interface Waiting<I, O> {
  input: I;
  resolve(output: O): void;
  reject(error: unknown): void;
}

export class Coalescer<I, O> {
  private queue: Array<Waiting<I, O>> = [];
  private writing = false;

  /**
   * @param write writes all inputs or none (one statement), answering in their order
   * @param maxBatch inputs written together at most
   */
  constructor(
    private readonly write: (inputs: I[]) => Promise<O[]>,
    private readonly maxBatch = 100,
  ) {}

  /** Resolves once `input` is written (committed), or rejects with its own error. */
  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.writeBatch(this.queue.splice(0, this.maxBatch));
    } finally {
      this.writing = false;
    }
  }

  private async writeBatch(batch: Array<Waiting<I, O>>): Promise<void> {
    try {
      const outputs = await this.write(batch.map((w) => w.input));
      batch.forEach((w, i) => w.resolve(outputs[i]!));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      // Nothing of the batch was written: write each alone, so one bad input fails alone.
      for (const waiting of batch) await this.writeBatch([waiting]);
    }
  }
}
