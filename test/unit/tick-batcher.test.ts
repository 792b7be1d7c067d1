import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TickBatcher } from '../../src/tick-batcher.js';

describe('TickBatcher', () => {
  it('runs the requests of one tick as one batch and answers each', async () => {
    const batches: number[][] = [];
    const batcher = new TickBatcher<number, number>(async (xs) => {
      batches.push(xs);
      return xs.map((x) => x * 10);
    }, String);
    const results = await Promise.all([1, 2, 3].map((x) => batcher.submit(x)));
    assert.deepEqual(results, [10, 20, 30]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  it('never puts two requests with the same key in one batch, and keeps their order', async () => {
    const batches: string[][] = [];
    const batcher = new TickBatcher<string, string>(
      async (xs) => {
        batches.push(xs);
        return xs;
      },
      (x) => x.split(':')[0],
    );
    await Promise.all(['a:1', 'b:1', 'a:2', 'a:3'].map((x) => batcher.submit(x)));
    assert.deepEqual(batches, [['a:1', 'b:1'], ['a:2'], ['a:3']]);
  });

  it('caps the batch size', async () => {
    const sizes: number[] = [];
    const batcher = new TickBatcher<number, number>(
      async (xs) => {
        sizes.push(xs.length);
        return xs;
      },
      String,
      2,
    );
    await Promise.all([1, 2, 3, 4, 5].map((x) => batcher.submit(x)));
    assert.deepEqual(sizes, [2, 2, 1]);
  });

  it('rejects every request of a failed batch with its error', async () => {
    const batcher = new TickBatcher<number, number>(async () => {
      throw new Error('database down');
    }, String);
    const results = await Promise.allSettled([1, 2].map((x) => batcher.submit(x)));
    assert.deepEqual(
      results.map((r) => r.status === 'rejected' && (r.reason as Error).message),
      ['database down', 'database down'],
    );
  });
});
