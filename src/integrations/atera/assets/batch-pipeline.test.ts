import { describe, expect, it } from 'vitest';
import { BatchPipeline } from './batch-pipeline.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('BatchPipeline', () => {
  it('runs batches one at a time in order, each record after its batch, and lets the read run ahead', async () => {
    const log: string[] = [];
    let running = 0;
    const pipeline = new BatchPipeline<number>(
      async (n) => {
        running++;
        expect(running).toBe(1);
        log.push(`start ${n}`);
        await tick();
        log.push(`end ${n}`);
        running--;
      },
      async () => {
        log.push('record');
        await tick();
      },
      2,
    );
    for (let n = 1; n <= 4; n++) await pipeline.submit(n);
    // Submitting did not wait for every batch: at most two were queued.
    expect(log.filter((l) => l.startsWith('end')).length).toBeLessThan(4);
    await pipeline.drain();
    expect(log.filter((l) => !l.startsWith('record'))).toEqual([
      'start 1',
      'end 1',
      'start 2',
      'end 2',
      'start 3',
      'end 3',
      'start 4',
      'end 4',
    ]);
    expect(log.filter((l) => l === 'record')).toHaveLength(4);
  });

  it('a failed batch fails the later ones and the drain; none of them runs', async () => {
    const ran: number[] = [];
    const pipeline = new BatchPipeline<number>(
      async (n) => {
        ran.push(n);
        if (n === 2) throw new Error('batch 2 failed');
      },
      async () => {},
      10,
    );
    for (let n = 1; n <= 4; n++) await pipeline.submit(n);
    await expect(pipeline.drain()).rejects.toThrow('batch 2 failed');
    expect(ran).toEqual([1, 2]);
  });

  it('after stop, queued batches do not run and what was in flight has landed', async () => {
    const ran: number[] = [];
    let recorded = 0;
    const pipeline = new BatchPipeline<number>(
      async (n) => {
        ran.push(n);
        await tick();
      },
      async () => {
        await tick();
        recorded++;
      },
      10,
    );
    for (let n = 1; n <= 4; n++) await pipeline.submit(n);
    await pipeline.stop();
    expect(ran).toEqual([1]);
    expect(recorded).toBe(1);
  });
});
