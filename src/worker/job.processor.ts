import { Injectable, Logger } from '@nestjs/common';
import { DelayedError, UnrecoverableError } from 'bullmq';
import { hostname } from 'node:os';
import { ABORT_GRACE_MS } from '../background-jobs.constants.js';
import type { BackgroundJob } from '../entities/background-job.entity.js';
import { JobCanceledError, JobTimeoutError, PermanentError, WorkerShutdownError } from '../errors/job-errors.js';
import { JobEventBus } from '../events/job-event.bus.js';
import { backoffDelayMs } from '../handlers/backoff.js';
import { JobHandlerRegistry, type RegisteredJobHandler } from '../handlers/job-handler.registry.js';
import { JobRunContext } from '../job-context.js';
import type { JobStatus } from '../job-status.js';
import type { QueueJob } from '../queue/queue-backend.js';
import { JobTransitionStore } from '../store/job-transition.store.js';
import { ProgressReporter } from './progress-reporter.js';
import { settleHandler, type HandlerOutcome } from './settle-handler.js';

/** What `process` tells BullMQ when the job's handler did not run: nothing to retry. */
export interface DroppedJob {
  dropped: true;
  reason: string;
}

/**
 * Runs one queue job: claims the record (`Queued` → `Running`, the arbiter against
 * a concurrent cancel), runs the handler with a `JobContext` under its timeout, and
 * records the outcome. Every write is conditional on the status it expects, so a
 * late result never overwrites a cancel.
 */
@Injectable()
export class JobProcessor {
  private readonly logger = new Logger('BackgroundJobs');
  /** Who makes the changes of this process, in the audit rows. */
  readonly actor = `worker:${hostname()}:${process.pid}`;
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly store: JobTransitionStore,
    private readonly registry: JobHandlerRegistry,
    private readonly events: JobEventBus,
  ) {}

  /** How many handlers run in this process now. */
  get activeCount(): number {
    return this.running.size;
  }

  /** Aborts every running handler of this process (shutdown). */
  abortAll(): void {
    for (const [jobId, controller] of this.running) controller.abort(new WorkerShutdownError(jobId));
  }

  // Three declared parameters: BullMQ hands a processor an AbortSignal only then.
  async process(queueJob: QueueJob, token: string | undefined, queueSignal: AbortSignal | undefined): Promise<unknown> {
    const jobId = queueJob.data.jobId;
    const controller = new AbortController();
    // `worker.cancelJob` (sent by a cancel in any process) aborts the queue's signal.
    const onQueueAbort = (): void => controller.abort(new JobCanceledError(jobId));
    if (queueSignal?.aborted) onQueueAbort();
    else queueSignal?.addEventListener('abort', onQueueAbort, { once: true });
    try {
      const job = await this.claim(queueJob);
      if ('dropped' in job) return job;
      this.running.set(jobId, controller);
      try {
        const outcome = await this.runHandler(job, controller);
        return await this.record(job, outcome, controller.signal, queueJob, token);
      } finally {
        this.running.delete(jobId);
      }
    } finally {
      queueSignal?.removeEventListener('abort', onQueueAbort);
    }
  }

  /**
   * Moves the record to `Running` if this queue job is its current attempt and it
   * may run. Returns why not otherwise: the handler then never starts.
   */
  private async claim(queueJob: QueueJob): Promise<BackgroundJob | DroppedJob> {
    const jobId = queueJob.data.jobId;
    // The common case in one statement: a Queued job whose current attempt this is.
    const fast = await this.toRunning(jobId, queueJob);
    if (fast !== 'retry') return fast;
    for (let tries = 0; tries < 5; tries++) {
      const job = await this.store.find(jobId);
      if (!job) return dropped('the record does not exist (its enqueue failed)');
      const current = job.queueJobId === queueJob.id || (job.status === 'Pending' && job.queueJobId === null);
      if (!current) return dropped(`queue job ${queueJob.id} is not the current attempt (${job.queueJobId})`);
      const step = await this.claimStep(job, queueJob);
      if (step === 'dropped') return dropped(`the job is ${job.status}`);
      if (step !== 'retry') return step;
    }
    return dropped('the record kept changing under the claim');
  }

  /** One step toward `Running`; 'retry' when the status changed under us. */
  private async claimStep(job: BackgroundJob, queueJob: QueueJob): Promise<BackgroundJob | 'dropped' | 'retry'> {
    const audit = { actor: this.actor };
    switch (job.status) {
      case 'Pending': {
        // The worker was faster than the enqueue's own Pending → Queued write.
        const queued = await this.store.transition(job.id, ['Pending'], 'Queued', { queueJobId: queueJob.id ?? null }, audit);
        return queued ? this.toRunning(job.id, queueJob) : 'retry';
      }
      case 'Failed':
      case 'TimedOut': {
        const queued = await this.store.transition(job.id, [job.status], 'Queued', { nextRetryAt: null }, {
          ...audit,
          message: `retry ${job.retryCount} of ${job.maxRetries}`,
        });
        return queued ? this.toRunning(job.id, queueJob) : 'retry';
      }
      case 'Queued':
        return this.toRunning(job.id, queueJob);
      case 'Running':
        return this.recoverStalled(job);
      default:
        return 'dropped';
    }
  }

  private async toRunning(jobId: string, queueJob: QueueJob): Promise<BackgroundJob | 'retry'> {
    const running = await this.store.transition(
      jobId,
      ['Queued'],
      'Running',
      { startedAt: new Date(), progress: 0, progressMessage: null },
      { actor: this.actor },
      { queueJobId: queueJob.id ?? '' },
    );
    return running ? running.job : 'retry';
  }

  /**
   * The queue handed us a job whose record is `Running`: the worker that ran it died
   * (BullMQ found its lock expired). It counts as a failed attempt.
   */
  private async recoverStalled(job: BackgroundJob): Promise<BackgroundJob | 'dropped' | 'retry'> {
    const message = 'the worker running this job stopped (crash or lost lock)';
    if (job.retryCount >= job.maxRetries) {
      await this.store.transition(job.id, ['Running'], 'DeadLetter', { errorMessage: message, errorType: 'Transient', completedAt: new Date() }, {
        actor: this.actor,
        message,
      });
      return 'dropped';
    }
    await this.store.transition(
      job.id,
      ['Running'],
      'Failed',
      { retryCount: job.retryCount + 1, nextRetryAt: new Date(), errorMessage: message, errorType: 'Transient' },
      { actor: this.actor, message },
    );
    // Whether or not this write won, the next step reads the status again: Failed → Queued → Running.
    return 'retry';
  }

  private async runHandler(job: BackgroundJob, controller: AbortController): Promise<HandlerOutcome> {
    if (controller.signal.aborted) return { kind: 'abandoned', reason: controller.signal.reason };
    let handler: RegisteredJobHandler;
    try {
      handler = this.registry.get(job.type);
    } catch (error) {
      return { kind: 'threw', error: new PermanentError(`No handler for job type "${job.type}" in this worker`, { cause: error }) };
    }
    const reporter = new ProgressReporter(job.id, this.store, this.events, () => controller.abort(new JobCanceledError(job.id)));
    const context = new JobRunContext(
      job.id,
      job.type,
      job.payload,
      job.retryCount + 1,
      job.tenantId,
      job.ownerId,
      controller.signal,
      reporter,
    );
    const timer = setTimeout(
      () => controller.abort(new JobTimeoutError(job.id, job.timeoutSeconds)),
      Math.max(1, job.timeoutSeconds * 1000),
    );
    try {
      const run = Promise.resolve().then(() => handler.run(context));
      // A canceled handler is waited for, so that `completedAt` says when it really stopped.
      return await settleHandler(run, controller.signal, ABORT_GRACE_MS, (reason) => reason instanceof JobCanceledError);
    } finally {
      clearTimeout(timer);
      await reporter.close();
    }
  }

  /** Records how the run ended, then tells BullMQ what to do with the queue job. */
  private async record(
    job: BackgroundJob,
    outcome: HandlerOutcome,
    signal: AbortSignal,
    queueJob: QueueJob,
    token: string | undefined,
  ): Promise<unknown> {
    const abortReason: unknown = signal.aborted ? signal.reason : undefined;
    if (abortReason instanceof JobCanceledError) return this.finishCanceled(job, abortReason);
    if (outcome.kind === 'returned') return this.complete(job, outcome.value);

    const error = outcome.kind === 'threw' ? outcome.error : outcome.reason;
    if (error instanceof JobCanceledError) return this.finishCanceled(job, error);
    if (abortReason instanceof JobTimeoutError) {
      return this.retryOrDeadLetter(job, 'TimedOut', abortReason.message, queueJob, token);
    }
    if (abortReason instanceof WorkerShutdownError) return this.handBack(job, abortReason, queueJob, token);
    if (error instanceof PermanentError) {
      await this.deadLetter(job, error.message, 'Permanent');
      throw new UnrecoverableError(error.message);
    }
    return this.retryOrDeadLetter(job, 'Failed', errorText(error), queueJob, token);
  }

  private async complete(job: BackgroundJob, value: unknown): Promise<unknown> {
    let result: unknown;
    try {
      result = value === undefined ? null : JSON.parse(JSON.stringify(value));
    } catch (error) {
      await this.deadLetter(job, `The handler's result is not JSON-serialisable: ${errorText(error)}`, 'Permanent');
      throw new UnrecoverableError('result is not JSON-serialisable');
    }
    const done = await this.store.transition(
      job.id,
      ['Running'],
      'Completed',
      { result, progress: 100, completedAt: new Date(), errorMessage: null, errorType: null, nextRetryAt: null },
      { actor: this.actor },
    );
    if (!done) return this.finishCanceled(job, new JobCanceledError(job.id));
    return { completed: true };
  }

  /** The job was canceled while it ran: its handler has stopped now. The result, if any, is discarded. */
  private async finishCanceled(job: BackgroundJob, error: JobCanceledError): Promise<DroppedJob> {
    const stamped = await this.store.update(job.id, ['Canceled'], { completedAt: new Date() }, 'completed_at IS NULL');
    if (!stamped) {
      // The handler canceled itself (threw JobCanceledError) without a cancel request.
      await this.store.transition(
        job.id,
        ['Running'],
        'Canceled',
        { canceledAt: new Date(), completedAt: new Date(), canceledBy: this.actor, cancelReason: error.message },
        { actor: this.actor, message: error.message },
      );
    }
    return dropped('canceled while running');
  }

  private async deadLetter(job: BackgroundJob, message: string, errorType: 'Permanent' | 'Transient'): Promise<void> {
    const moved = await this.store.transition(
      job.id,
      ['Running'],
      'DeadLetter',
      { errorMessage: message, errorType, completedAt: new Date(), nextRetryAt: null },
      { actor: this.actor, message },
    );
    if (!moved) await this.finishCanceled(job, new JobCanceledError(job.id));
  }

  /**
   * The worker shut down under the handler: the job goes back to the queue at once
   * for another worker. A deploy is not the job's fault, so it uses no retry.
   */
  private async handBack(job: BackgroundJob, reason: WorkerShutdownError, queueJob: QueueJob, token: string | undefined): Promise<unknown> {
    const now = new Date();
    const failed = await this.store.transition(
      job.id,
      ['Running'],
      'Failed',
      { nextRetryAt: now, errorMessage: reason.message, errorType: 'Transient' },
      { actor: this.actor, message: reason.message },
    );
    if (!failed) return this.finishCanceled(job, new JobCanceledError(job.id));
    await queueJob.moveToDelayed(now.getTime(), token);
    throw new DelayedError();
  }

  /**
   * A failed attempt: retried after its backoff while retries remain (the queue job
   * is delayed, then claimed again), `DeadLetter` once they are used up.
   */
  private async retryOrDeadLetter(
    job: BackgroundJob,
    status: Extract<JobStatus, 'Failed' | 'TimedOut'>,
    message: string,
    queueJob: QueueJob,
    token: string | undefined,
  ): Promise<unknown> {
    if (job.retryCount >= job.maxRetries) {
      await this.deadLetter(job, `${message} (no retries left after ${job.retryCount + 1} attempts)`, 'Transient');
      throw new UnrecoverableError(message);
    }
    const retry = job.retryCount + 1;
    const handler = this.registry.has(job.type) ? this.registry.get(job.type) : undefined;
    const delayMs = backoffDelayMs(retry, handler?.backoff);
    const nextRetryAt = new Date(Date.now() + delayMs);
    const failed = await this.store.transition(
      job.id,
      ['Running'],
      status,
      { retryCount: retry, nextRetryAt, errorMessage: message, errorType: 'Transient' },
      { actor: this.actor, message },
    );
    if (!failed) return this.finishCanceled(job, new JobCanceledError(job.id));
    await queueJob.moveToDelayed(nextRetryAt.getTime(), token);
    // Tells BullMQ the job was moved to the delayed set on purpose: not a failure.
    throw new DelayedError();
  }
}

function dropped(reason: string): DroppedJob {
  return { dropped: true, reason };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
