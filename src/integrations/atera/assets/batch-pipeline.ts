/**
 * Runs an import's batches one after another (each sees what the previous one wrote) while the read goes on:
 * the database and Atera work in parallel.
 *
 * - Up to `depth` batches wait their turn, so a slow batch seldom stalls the read. A stalled read leaves the
 *   client's prefetched pages waiting as whole agents, which outlive young-generation collections and are
 *   copied into the old generation (measured: a 15 ms stall per 1,000 agents made ten times as much promoted
 *   garbage as a read that never waits). Queued batches hold only what their plans read (see device.ts).
 * - A batch's run record (changes, counts, progress) is written while the next batch is planned and written;
 *   that batch waits for it before recording its own, so one record is in flight and its failure surfaces.
 * - A failed batch fails every later one and the next submit or drain; after a failure of the read, `stop`
 *   runs no further batch and waits for what is in flight, so nothing is written after the run has ended.
 */
export class BatchPipeline<T> {
  private readonly queued: Promise<void>[] = [];
  private last: Promise<void> = Promise.resolve();
  private recording: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly process: (batch: T) => Promise<void>,
    private readonly record: () => Promise<void>,
    private readonly depth: number,
  ) {}

  /** Queues a batch; waits while `depth` are queued, and rethrows the error of a failed one. */
  async submit(batch: T): Promise<void> {
    if (this.queued.length >= this.depth) await this.queued.shift();
    const step = this.last.then(async () => {
      if (this.stopped) return;
      await this.process(batch);
      await this.recording;
      this.recording = this.record();
      this.recording.catch(() => {});
    });
    // Kept observed: the error is rethrown by whoever waits for this step or a later one.
    step.catch(() => {});
    this.last = step;
    this.queued.push(step);
  }

  /** Waits for every queued batch and the last record. */
  async drain(): Promise<void> {
    await this.last;
    await this.recording;
  }

  /** After a failure elsewhere: starts no further batch and lets the ones in flight land. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.last.catch(() => {});
    await this.recording.catch(() => {});
  }
}
