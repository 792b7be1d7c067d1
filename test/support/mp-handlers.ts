import { Injectable } from '@nestjs/common';
import { JobHandler, type JobContext } from '../../src/index.js';

/** Messages a worker process sends to the test. */
export type WorkerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'entered'; jobId: string; pid: number }
  | { type: 'aborted'; jobId: string; reason: string; pid: number }
  | { type: 'flushed'; pid: number };

export const send = (message: WorkerMessage): void => {
  process.send?.(message);
};

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first (and reports it). */
function abortableWait(ctx: JobContext<unknown>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      send({ type: 'aborted', jobId: ctx.jobId, reason: (ctx.signal.reason as Error).name, pid: process.pid });
      reject(ctx.signal.reason);
    };
    const timer = setTimeout(() => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

@Injectable()
export class MultiProcessHandlers {
  /** Runs for a minute unless its signal aborts. */
  @JobHandler('mp.block', { maxRetries: 0 })
  async block(ctx: JobContext<unknown>): Promise<unknown> {
    send({ type: 'entered', jobId: ctx.jobId, pid: process.pid });
    await abortableWait(ctx, 60_000);
    return { pid: process.pid };
  }

  /** Like mp.block, with retries: a job that survives its worker's crash. */
  @JobHandler('mp.durable', { maxRetries: 2 })
  async durable(ctx: JobContext<unknown>): Promise<unknown> {
    send({ type: 'entered', jobId: ctx.jobId, pid: process.pid });
    await abortableWait(ctx, 60_000);
    return { pid: process.pid };
  }

  /** Short work of `ms` milliseconds that honours its signal. */
  @JobHandler('mp.race', { maxRetries: 0 })
  async race(ctx: JobContext<{ ms: number }>): Promise<unknown> {
    send({ type: 'entered', jobId: ctx.jobId, pid: process.pid });
    await abortableWait(ctx, ctx.payload.ms);
    return { pid: process.pid };
  }
}

