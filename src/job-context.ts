import { JobCanceledError } from './errors/job-errors.js';

/** What a handler receives: its job, its signal and ways to report progress. */
export interface JobContext<P = unknown> {
  readonly jobId: string;
  readonly type: string;
  readonly payload: P;
  /** 1 for the first run, 2 for the first retry, … */
  readonly attempt: number;
  readonly tenantId: string | null;
  readonly ownerId: string | null;
  /**
   * Aborted when the job is canceled (`reason` is a `JobCanceledError`), times out
   * (`JobTimeoutError`) or its worker shuts down (`WorkerShutdownError`).
   */
  readonly signal: AbortSignal;
  /** True once the job was canceled. */
  isCanceled(): boolean;
  /** Throws `JobCanceledError` once the job was canceled. */
  throwIfCanceled(): void;
  /**
   * Records progress (clamped to 0–100). Written at most once per second, and
   * always at 100. Throws `JobCanceledError` once the job was canceled.
   */
  updateProgress(percent: number, message?: string): Promise<void>;
}

/** What a running job's context needs from the worker. */
export interface JobRunHooks {
  /** Writes progress; resolves false when the job is no longer running. */
  reportProgress(percent: number, message: string | undefined): Promise<void>;
  /** Re-reads the job's status (throttled by the worker); aborts the signal if it was canceled. */
  recheckCanceled(): void;
}

/** The `JobContext` of one run of a handler. */
export class JobRunContext<P = unknown> implements JobContext<P> {
  constructor(
    readonly jobId: string,
    readonly type: string,
    readonly payload: P,
    readonly attempt: number,
    readonly tenantId: string | null,
    readonly ownerId: string | null,
    readonly signal: AbortSignal,
    private readonly hooks: JobRunHooks,
  ) {}

  isCanceled(): boolean {
    if (this.signal.aborted && this.signal.reason instanceof JobCanceledError) return true;
    this.hooks.recheckCanceled();
    return false;
  }

  throwIfCanceled(): void {
    if (this.isCanceled()) throw this.signal.reason;
  }

  async updateProgress(percent: number, message?: string): Promise<void> {
    this.throwIfCanceled();
    const clamped = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0));
    await this.hooks.reportProgress(clamped, message);
    this.throwIfCanceled();
  }
}
