import { Injectable } from '@nestjs/common';
import { JobHandler, PermanentError, type JobContext } from '../index.js';

/** `sample_job` payload. */
export interface SampleJobPayload {
  /** @default 10 */
  steps?: number;
  /** @default 200 */
  stepMs?: number;
  /** Throw at this step (1-based). */
  failAt?: number;
  /** When failing, throw a `PermanentError` (no retry). */
  permanent?: boolean;
}

/** `long_running_job` payload. */
export interface LongRunningJobPayload {
  /** @default 60000 */
  durationMs?: number;
  /** Keep running after a cancel; the result is then discarded. @default false */
  ignoreCancel?: boolean;
}

/** How often `long_running_job` reports how far it is. */
const LONG_RUNNING_TICK_MS = 500;

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function nonNegative(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** The handlers the bundled application runs (see "The runnable application" in the contract). */
@Injectable()
export class BundledJobs {
  /** Returns its payload. */
  @JobHandler('echo_job')
  async echo(ctx: JobContext<unknown>): Promise<unknown> {
    return { echo: ctx.payload };
  }

  /** Works in `steps` steps of `stepMs`, reporting progress after each; fails at `failAt` if asked. */
  @JobHandler('sample_job', { timeoutSeconds: 600 })
  async sample(ctx: JobContext<SampleJobPayload | null>): Promise<unknown> {
    const payload = ctx.payload ?? {};
    const steps = Math.max(1, Math.floor(nonNegative(payload.steps, 10)));
    const stepMs = nonNegative(payload.stepMs, 200);
    for (let step = 1; step <= steps; step++) {
      await sleep(stepMs, ctx.signal);
      if (payload.failAt === step) {
        const message = `sample_job failed at step ${step} of ${steps}`;
        throw payload.permanent ? new PermanentError(message) : new Error(message);
      }
      await ctx.updateProgress((step / steps) * 100, `step ${step} of ${steps}`);
    }
    return { steps, stepMs };
  }

  /**
   * Waits `durationMs` on a timer tied to its signal, so it stops at once when
   * canceled; with `ignoreCancel` it runs its full time (its result is discarded).
   * Reports its progress as time passes.
   */
  @JobHandler('long_running_job', { timeoutSeconds: 3600 })
  async longRunning(ctx: JobContext<LongRunningJobPayload | null>): Promise<unknown> {
    const payload = ctx.payload ?? {};
    const durationMs = nonNegative(payload.durationMs, 60_000);
    const ignoreCancel = payload.ignoreCancel === true;
    const started = Date.now();
    for (;;) {
      const elapsed = Date.now() - started;
      if (elapsed >= durationMs) break;
      await sleep(Math.min(LONG_RUNNING_TICK_MS, durationMs - elapsed), ignoreCancel ? undefined : ctx.signal);
      const percent = Math.min(100, ((Date.now() - started) / durationMs) * 100);
      // Once canceled, updateProgress throws: an ignoring handler just stops reporting.
      if (!ignoreCancel || !ctx.isCanceled()) await ctx.updateProgress(percent, `${Math.round((Date.now() - started) / 1000)} s`);
    }
    return { durationMs };
  }
}
