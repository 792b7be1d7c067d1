import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BACKGROUND_JOBS_OPTIONS } from '../background-jobs.module-definition.js';
import { DEFAULT_LOCK_DURATION_MS } from '../background-jobs.constants.js';
import type { BackgroundJobsModuleOptions } from '../interfaces/module-options.interface.js';
import type { JobPriority, JobStatus } from '../job-status.js';
import { JobQueues } from '../queue/job-queues.js';
import { JobTransitionStore } from '../store/job-transition.store.js';

interface StaleJob {
  id: string;
  type: string;
  status: JobStatus;
  priority: JobPriority;
  queueName: string;
  queueJobId: string | null;
  nextRetryAt: Date | null;
}

/** How many stale jobs one pass looks at. */
const BATCH = 100;

/**
 * Repairs what a crash between PostgreSQL and the queue can leave behind, so that
 * no job stays in a non-final state forever:
 * - a `Pending` record whose enqueue never reached the queue (the API process died):
 *   it is added now (the queue job id is deterministic, so a second add is a no-op);
 * - a `Queued`, `Failed` or `TimedOut` record whose queue entry is gone: added again;
 * - a `Running` record whose queue job is gone or failed (its workers kept dying, or
 *   the queue lost it): `DeadLetter`, where a person can retry it.
 * Every change is a conditional transition, so several workers may reconcile at once.
 */
@Injectable()
export class JobReconciler {
  private readonly logger = new Logger('BackgroundJobs');
  readonly actor = 'reconciler';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(BACKGROUND_JOBS_OPTIONS) private readonly options: BackgroundJobsModuleOptions,
    private readonly store: JobTransitionStore,
    private readonly queues: JobQueues,
  ) {}

  /** A record untouched for this long, whose queue job is not where it should be, is repaired. */
  get staleAfterMs(): number {
    return 2 * (this.options.worker?.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS);
  }

  /** One pass; returns how many jobs it repaired. */
  async reconcile(): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT id, type, status, priority, queue_name AS "queueName", queue_job_id AS "queueJobId", next_retry_at AS "nextRetryAt"
       FROM background_jobs
       WHERE status IN ('Pending', 'Queued', 'Failed', 'TimedOut', 'Running')
         AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
       ORDER BY updated_at LIMIT ${BATCH}`,
      [this.staleAfterMs],
    )) as StaleJob[];
    let repaired = 0;
    for (const job of rows) {
      try {
        if (await this.repair(job)) repaired++;
      } catch (error) {
        this.logger.warn(`Reconcile of job ${job.id} failed: ${String(error)}`);
      }
    }
    if (repaired) this.logger.log(`Reconciled ${repaired} job(s)`);
    return repaired;
  }

  private async repair(job: StaleJob): Promise<boolean> {
    const queueJobId = job.queueJobId ?? job.id;
    const state = await this.queues.state(job.queueName, queueJobId);
    if (job.status === 'Running') {
      if (state !== 'unknown' && state !== 'failed' && state !== 'completed') return false;
      const message = `its queue job is ${state === 'unknown' ? 'gone' : state} while the record says Running (its workers kept dying, or the queue lost it)`;
      return !!(await this.store.transition(job.id, ['Running'], 'DeadLetter', { errorMessage: message, errorType: 'Transient', completedAt: new Date() }, {
        actor: this.actor,
        message,
      }));
    }
    if (job.status !== 'Pending' && state !== 'unknown') return false;
    const delayMs = job.nextRetryAt ? Math.max(0, job.nextRetryAt.getTime() - Date.now()) : 0;
    await this.queues.add({ queueName: job.queueName, queueJobId, jobId: job.id, type: job.type, priority: job.priority, delayMs });
    if (job.status === 'Pending') {
      await this.store.transition(job.id, ['Pending'], 'Queued', { queueJobId }, { actor: this.actor, message: 'enqueue completed after a crash' });
    }
    return true;
  }
}
