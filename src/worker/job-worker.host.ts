import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DEFAULT_CONCURRENCY, DEFAULT_LOCK_DURATION_MS, DEFAULT_SHUTDOWN_GRACE_MS, QUEUE_BACKEND } from '../background-jobs.constants.js';
import { BACKGROUND_JOBS_OPTIONS } from '../background-jobs.module-definition.js';
import { JobHandlerRegistry } from '../handlers/job-handler.registry.js';
import type { BackgroundJobsModuleOptions } from '../interfaces/module-options.interface.js';
import type { JobWorker, QueueBackend } from '../queue/queue-backend.js';
import { CancelBroadcaster, type CancelMessage } from './cancel-broadcaster.js';
import { JobProcessor } from './job.processor.js';
import { JobReconciler } from './job-reconciler.js';

/**
 * Owns this process's BullMQ workers: starts them when the application has
 * bootstrapped (if `worker.enabled`), routes cancel requests from any process to
 * the worker running the job, and on shutdown stops taking jobs, gives running
 * handlers `shutdownGraceMs`, then aborts them so that their jobs are retried
 * elsewhere: nothing is left `Running` without a worker.
 */
@Injectable()
export class JobWorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BackgroundJobs');
  private readonly workers = new Map<string, JobWorker>();
  private closing: Promise<void> | null = null;
  private reconcileTimer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> = Promise.resolve();

  constructor(
    @Inject(BACKGROUND_JOBS_OPTIONS) private readonly options: BackgroundJobsModuleOptions,
    @Inject(QUEUE_BACKEND) private readonly backend: QueueBackend,
    private readonly registry: JobHandlerRegistry,
    private readonly processor: JobProcessor,
    private readonly cancels: CancelBroadcaster,
    private readonly reconciler: JobReconciler,
  ) {}

  get enabled(): boolean {
    return this.options.worker?.enabled ?? true;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    await this.cancels.subscribe((message) => this.onCancel(message));
    const concurrency = this.options.worker?.concurrency ?? DEFAULT_CONCURRENCY;
    const lockMs = this.options.worker?.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
    for (const name of this.registry.queueNames()) {
      const worker = this.backend.createWorker(
        name,
        (job, token, signal) => this.processor.process(job, token, signal),
        { concurrency, maxStalledCount: 3, lockDuration: lockMs, stalledInterval: lockMs },
      );
      worker.on('error', (error) => this.logger.error(`Worker of queue ${name}: ${error.message}`));
      this.workers.set(name, worker);
    }
    await Promise.all([...this.workers.values()].map((w) => w.waitUntilReady()));
    this.scheduleReconcile(0);
    this.logger.log(`Worker started on ${[...this.workers.keys()].join(', ')} (concurrency ${concurrency})`);
  }

  beforeApplicationShutdown(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Repairs records a crash left behind, now and then every lock duration. */
  private scheduleReconcile(delayMs: number): void {
    this.reconcileTimer = setTimeout(() => {
      this.reconciling = this.reconciler
        .reconcile()
        .then(() => undefined, (error: unknown) => this.logger.warn(`Reconcile failed: ${String(error)}`))
        .finally(() => {
          if (!this.closing) this.scheduleReconcile(this.reconciler.staleAfterMs / 2);
        });
    }, delayMs);
    this.reconcileTimer.unref();
  }

  private onCancel(message: CancelMessage): void {
    // Only the process that runs the job has it tracked; everywhere else this is a no-op.
    if (this.workers.get(message.queueName)?.cancelJob(message.queueJobId, 'canceled')) {
      this.logger.debug?.(`Canceled running job ${message.jobId}`);
    }
  }

  private async shutdown(): Promise<void> {
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    await this.reconciling;
    if (!this.workers.size) return;
    const grace = this.options.worker?.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    // close() stops fetching at once and resolves when the running jobs have finished.
    const closed = Promise.all([...this.workers.values()].map((w) => w.close()));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace-over'>((resolve) => {
      timer = setTimeout(() => resolve('grace-over'), grace);
    });
    const first = await Promise.race([closed.then(() => 'closed' as const), graceOver]);
    clearTimeout(timer);
    if (first === 'grace-over') {
      this.logger.warn(`Shutdown: aborting ${this.processor.activeCount} running job(s); they will be retried`);
      this.processor.abortAll();
      await closed;
    }
    this.workers.clear();
  }
}
