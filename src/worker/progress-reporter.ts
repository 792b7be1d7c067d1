import { CANCEL_RECHECK_INTERVAL_MS, PROGRESS_WRITE_INTERVAL_MS } from '../background-jobs.constants.js';
import type { JobEventBus } from '../events/job-event.bus.js';
import type { JobRunHooks } from '../job-context.js';
import type { JobTransitionStore } from '../store/job-transition.store.js';

/**
 * Progress and cancel checks of one running job: at most one progress write per
 * second (the last value of a burst is written when the second is over; 100 % is
 * written at once), and at most one status read per second for a handler that
 * asks `isCanceled()` after missing the cancel message.
 */
export class ProgressReporter implements JobRunHooks {
  private lastWriteAt = 0;
  private lastCheckAt = 0;
  private pending: { percent: number; message: string | undefined } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly jobId: string,
    private readonly store: JobTransitionStore,
    private readonly events: JobEventBus,
    /** Called when a write or a check finds the job no longer running because it was canceled. */
    private readonly onCanceled: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  async reportProgress(percent: number, message: string | undefined): Promise<void> {
    if (this.closed) return;
    this.pending = { percent, message };
    const wait = this.lastWriteAt + PROGRESS_WRITE_INTERVAL_MS - this.now();
    if (percent >= 100 || wait <= 0) {
      await this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), wait);
    }
  }

  recheckCanceled(): void {
    if (this.closed || this.now() - Math.max(this.lastCheckAt, this.lastWriteAt) < CANCEL_RECHECK_INTERVAL_MS) return;
    this.lastCheckAt = this.now();
    this.store.statusOf(this.jobId).then(
      (status) => {
        if (status === 'Canceled') this.onCanceled();
      },
      () => undefined, // a failed check is retried at the next call, a second later
    );
  }

  /** Stops writing: the job's outcome is about to be recorded. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.writing;
  }

  private flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const next = this.pending;
    this.pending = null;
    if (!next || this.closed) return this.writing;
    this.lastWriteAt = this.now();
    this.writing = this.writing.then(() => this.write(next.percent, next.message ?? null));
    return this.writing;
  }

  private async write(progress: number, progressMessage: string | null): Promise<void> {
    const job = await this.store
      .update(this.jobId, ['Running'], { progress, progressMessage })
      .catch(() => undefined); // progress is best effort: a lost write must not fail the job
    if (job) {
      this.events.publish({
        kind: 'progress',
        jobId: job.id,
        ownerId: job.ownerId,
        tenantId: job.tenantId,
        progress: job.progress,
        progressMessage: job.progressMessage,
        updatedAt: job.updatedAt,
      });
    } else if (job === null && (await this.store.statusOf(this.jobId).catch(() => null)) === 'Canceled') {
      this.onCanceled();
    }
  }
}
