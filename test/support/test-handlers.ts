import { Injectable } from '@nestjs/common';
import { JobHandler, PermanentError, type JobContext } from '../../src/index.js';
import { Probe } from './probe.js';

/** Retries in tests wait milliseconds, not minutes. */
export const FAST_BACKOFF = { baseMs: 30, factor: 1, jitter: 0 };

/** Waits until the signal aborts; records the reason. Never returns by itself unless released. */
function untilAborted(ctx: JobContext<unknown>, probe: Probe): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      probe.aborted(ctx.jobId, ctx.signal.reason);
      reject(ctx.signal.reason);
    };
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    void probe.gate(ctx.jobId).then(resolve);
  });
}

@Injectable()
export class TestHandlers {
  constructor(private readonly probe: Probe) {}

  @JobHandler('test.echo', { backoff: FAST_BACKOFF })
  async echo(ctx: JobContext<unknown>): Promise<unknown> {
    this.probe.entered(ctx.jobId);
    this.probe.returned(ctx.jobId);
    return { echo: ctx.payload };
  }

  /** Runs until canceled, timed out, or released by the test. */
  @JobHandler('test.block', { backoff: FAST_BACKOFF, maxRetries: 0 })
  async block(ctx: JobContext<unknown>): Promise<unknown> {
    this.probe.entered(ctx.jobId);
    await untilAborted(ctx, this.probe);
    this.probe.returned(ctx.jobId);
    return { released: true };
  }

  /** Ignores its signal: runs until released. */
  @JobHandler('test.stubborn', { backoff: FAST_BACKOFF, maxRetries: 0 })
  async stubborn(ctx: JobContext<unknown>): Promise<unknown> {
    this.probe.entered(ctx.jobId);
    ctx.signal.addEventListener('abort', () => this.probe.aborted(ctx.jobId, ctx.signal.reason), { once: true });
    await this.probe.gate(ctx.jobId);
    this.probe.returned(ctx.jobId);
    return { finished: true };
  }

  /** Times out on every attempt (0.2 s), one retry. */
  @JobHandler('test.timeout', { timeoutSeconds: 0.2, maxRetries: 1, backoff: FAST_BACKOFF })
  async timeout(ctx: JobContext<unknown>): Promise<unknown> {
    this.probe.entered(ctx.jobId);
    await untilAborted(ctx, this.probe);
    return null;
  }

  @JobHandler('test.fail', { maxRetries: 2, backoff: FAST_BACKOFF })
  async fail(ctx: JobContext<unknown>): Promise<unknown> {
    this.probe.entered(ctx.jobId);
    throw new Error(`boom on attempt ${ctx.attempt}`);
  }

  /** Fails until it has been entered `succeedOn` times (payload), then returns how often it ran. */
  @JobHandler('test.flaky', { maxRetries: 3, backoff: FAST_BACKOFF })
  async flaky(ctx: JobContext<{ succeedOn: number }>): Promise<unknown> {
    this.probe.entered(ctx.jobId);
    const runs = this.probe.record(ctx.jobId).entered;
    if (runs < ctx.payload.succeedOn) throw new Error(`not yet (run ${runs})`);
    return { runs, attempt: ctx.attempt };
  }

  /** Fails once, then waits a minute before its retry: a job caught waiting for a retry. */
  @JobHandler('test.slow-retry', { maxRetries: 3, backoff: { baseMs: 60_000, jitter: 0 } })
  async slowRetry(ctx: JobContext<unknown>): Promise<unknown> {
    this.probe.entered(ctx.jobId);
    throw new Error('first attempt fails');
  }

  @JobHandler('test.permanent', { maxRetries: 5, backoff: FAST_BACKOFF })
  async permanent(ctx: JobContext<unknown>): Promise<unknown> {
    this.probe.entered(ctx.jobId);
    throw new PermanentError('this input can never work');
  }

  /** Never looks at its signal: polls isCanceled() until it says yes. */
  @JobHandler('test.poll', { maxRetries: 0 })
  async poll(ctx: JobContext<unknown>): Promise<unknown> {
    this.probe.entered(ctx.jobId);
    while (!ctx.isCanceled()) await new Promise((resolve) => setTimeout(resolve, 50));
    this.probe.aborted(ctx.jobId, ctx.signal.reason);
    ctx.throwIfCanceled();
    return null;
  }

  /** Never looks at its signal: reports progress until updateProgress throws. */
  @JobHandler('test.report', { maxRetries: 0 })
  async report(ctx: JobContext<unknown>): Promise<unknown> {
    this.probe.entered(ctx.jobId);
    for (let i = 0; ; i = (i + 1) % 99) {
      try {
        await ctx.updateProgress(i);
      } catch (error) {
        this.probe.aborted(ctx.jobId, error);
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Reports progress in steps; polls isCanceled between them. */
  @JobHandler('test.progress', { backoff: FAST_BACKOFF, maxRetries: 0 })
  async progress(ctx: JobContext<{ steps: number; stepMs: number }>): Promise<unknown> {
    this.probe.entered(ctx.jobId);
    for (let i = 1; i <= ctx.payload.steps; i++) {
      await new Promise((resolve) => setTimeout(resolve, ctx.payload.stepMs));
      ctx.throwIfCanceled();
      await ctx.updateProgress((i / ctx.payload.steps) * 100, `step ${i}`);
    }
    return { steps: ctx.payload.steps };
  }
}
