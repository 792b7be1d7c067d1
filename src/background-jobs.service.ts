import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, type Repository } from 'typeorm';
import { BackgroundJob } from './entities/background-job.entity.js';
import { JobExecutionLog } from './entities/job-execution-log.entity.js';
import {
  InvalidJobInputError,
  JobNotDeletableError,
  JobNotFoundError,
  JobNotRetryableError,
  QueueUnavailableError,
} from './errors/service-errors.js';
import { JobEventBus } from './events/job-event.bus.js';
import { JobHandlerRegistry } from './handlers/job-handler.registry.js';
import type { CancelOptions, CancelOutcome, EnqueueOptions, JobScope, ListJobsFilter } from './interfaces/enqueue-options.interface.js';
import {
  assertInteger,
  assertJobId,
  assertJsonValue,
  assertPositive,
  assertPriority,
  normalizeListFilter,
} from './job-input.validation.js';
import { DEQUEUEABLE_STATUSES, SETTLED_STATUSES, type JobStatus } from './job-status.js';
import { JobQueues } from './queue/job-queues.js';
import { JobTransitionStore } from './store/job-transition.store.js';
import { CancelBroadcaster } from './worker/cancel-broadcaster.js';

/** A page of jobs. */
export interface JobPage {
  items: BackgroundJob[];
  total: number;
  limit: number;
  offset: number;
}

/** The result of `cancel`. */
export interface CancelResult {
  job: BackgroundJob;
  outcome: CancelOutcome;
}

/** Who acts when the caller does not say. */
const SYSTEM = 'system';

/** The public runtime API: enqueue, cancel, retry and read jobs. */
@Injectable()
export class BackgroundJobsService {
  private readonly logger = new Logger('BackgroundJobs');

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly store: JobTransitionStore,
    private readonly queues: JobQueues,
    private readonly cancels: CancelBroadcaster,
    private readonly events: JobEventBus,
    @InjectRepository(BackgroundJob) private readonly jobs: Repository<BackgroundJob>,
    @InjectRepository(JobExecutionLog) private readonly logs: Repository<JobExecutionLog>,
  ) {}

  /**
   * Records a job as `Pending`, adds it to the queue, and moves it to `Queued`.
   * Throws `UnknownJobTypeError` or `InvalidJobInputError` before writing anything;
   * `QueueUnavailableError` when the queue did not take it (the record is removed).
   */
  async enqueue(type: string, payload?: unknown, opts: EnqueueOptions = {}): Promise<BackgroundJob> {
    if (typeof type !== 'string' || !type) throw new InvalidJobInputError('type must be a non-empty string');
    const handler = this.registry.get(type);
    assertJsonValue(payload);
    const priority = opts.priority ?? handler.priority;
    assertPriority(priority);
    const delayMs = opts.delayMs ?? 0;
    assertInteger(delayMs, 'delayMs', 0);
    const timeoutSeconds = opts.timeoutSeconds ?? handler.timeoutSeconds;
    assertPositive(timeoutSeconds, 'timeoutSeconds');
    const maxRetries = opts.maxRetries ?? handler.maxRetries;
    assertInteger(maxRetries, 'maxRetries', 0, 1000);
    for (const key of ['tenantId', 'ownerId'] as const) {
      const value = opts[key];
      if (value !== undefined && (typeof value !== 'string' || !value || value.length > 200)) {
        throw new InvalidJobInputError(`${key} must be a non-empty string of at most 200 characters`);
      }
    }
    if (opts.dependsOn !== undefined) throw new InvalidJobInputError('dependsOn is not supported yet');
    if (opts.manager !== undefined) throw new InvalidJobInputError('enqueue inside a caller transaction (manager) is not supported yet');

    const id = randomUUID();
    await this.store.create(
      {
        id,
        status: 'Pending',
        type,
        priority,
        queueName: handler.queueName,
        queueJobId: null,
        payload: payload === undefined ? null : JSON.parse(JSON.stringify(payload)),
        maxRetries,
        timeoutSeconds,
        tenantId: opts.tenantId ?? null,
        ownerId: opts.ownerId ?? null,
        nextRetryAt: delayMs > 0 ? new Date(Date.now() + delayMs) : null,
      },
      { actor: opts.ownerId ?? SYSTEM },
    );
    // The first attempt's queue id is the job id: adding it twice is a no-op.
    const queueJobId = id;
    try {
      await this.queues.add({ queueName: handler.queueName, queueJobId, jobId: id, type, priority, delayMs });
    } catch (error) {
      await this.store.discardPending(id).catch((e: unknown) => this.logger.error(`Could not discard job ${id}: ${String(e)}`));
      throw error instanceof QueueUnavailableError ? error : new QueueUnavailableError(error);
    }
    const queued = await this.store.transition(id, ['Pending'], 'Queued', { queueJobId }, { actor: opts.ownerId ?? SYSTEM });
    // Null when a worker claimed it first (it moves Pending → Queued itself).
    return queued?.job ?? this.get(id);
  }

  /**
   * Cancels a job. `dequeued`: it had not started, it is out of the queue and its
   * handler never runs. `signaled`: it was running, it is `Canceled` now and the
   * signal of the process that runs it fires. `noop`: it had already finished.
   */
  async cancel(id: string, opts: CancelOptions = {}): Promise<CancelResult> {
    assertJobId(id);
    const by = opts.by ?? SYSTEM;
    const reason = opts.reason ?? null;
    // Each pass acts on the status just read; a concurrent change sends us round again.
    for (;;) {
      const job = await this.get(id);
      if (SETTLED_STATUSES.includes(job.status)) return { job, outcome: 'noop' };
      const now = new Date();
      const patch = { canceledAt: now, canceledBy: by, cancelReason: reason, nextRetryAt: null };
      if (job.status === 'Running') {
        const done = await this.store.transition(id, ['Running'], 'Canceled', patch, { actor: by, message: reason });
        if (!done) continue;
        await this.signal(done.job);
        this.events.publish({ kind: 'canceled', job: done.job, outcome: 'signaled' });
        return { job: done.job, outcome: 'signaled' };
      }
      if (!DEQUEUEABLE_STATUSES.includes(job.status)) return { job, outcome: 'noop' };
      const done = await this.store.transition(id, [job.status], 'Canceled', { ...patch, completedAt: now }, { actor: by, message: reason });
      if (!done) continue;
      await this.dequeue(done.job);
      this.events.publish({ kind: 'canceled', job: done.job, outcome: 'dequeued' });
      return { job: done.job, outcome: 'dequeued' };
    }
  }

  /** Runs a `DeadLetter` job again, with its retries restored. */
  async retry(id: string, opts: { by?: string } = {}): Promise<BackgroundJob> {
    assertJobId(id);
    const job = await this.get(id);
    if (job.status !== 'DeadLetter') throw new JobNotRetryableError(id, job.status);
    const queueJobId = nextQueueJobId(job);
    const actor = opts.by ?? SYSTEM;
    const queued = await this.store.transition(
      id,
      ['DeadLetter'],
      'Queued',
      { queueJobId, retryCount: 0, nextRetryAt: null, errorMessage: null, errorType: null, completedAt: null, result: null },
      { actor, message: 'manual retry' },
    );
    if (!queued) throw new JobNotRetryableError(id, (await this.get(id)).status);
    try {
      await this.queues.add({ queueName: job.queueName, queueJobId, jobId: id, type: job.type, priority: job.priority, delayMs: 0 });
    } catch (error) {
      // Put it back where it was, so that it can be retried again later.
      await this.store.transition(id, ['Queued'], 'DeadLetter', { completedAt: new Date(), errorMessage: job.errorMessage, errorType: job.errorType }, {
        actor,
        message: 'manual retry failed: the queue is unreachable',
      });
      throw error;
    }
    return queued.job;
  }

  /**
   * Retries every `DeadLetter` job among `ids` and/or of `type` (at most 1000 at a
   * time); returns how many went back to the queue.
   */
  async retryDeadLetters(filter: { ids?: string[]; type?: string }, opts: { by?: string } = {}): Promise<number> {
    filter.ids?.forEach((id) => assertJobId(id));
    const where = {
      status: 'DeadLetter' as const,
      ...(filter.ids ? { id: In(filter.ids) } : {}),
      ...(filter.type !== undefined ? { type: filter.type } : {}),
    };
    const jobs = await this.jobs.find({ where, select: { id: true }, order: { createdAt: 'ASC' }, take: 1000 });
    let retried = 0;
    for (const { id } of jobs) {
      try {
        await this.retry(id, opts);
        retried++;
      } catch (error) {
        // Retried or deleted by someone else meanwhile: not ours to count.
        if (!(error instanceof JobNotRetryableError || error instanceof JobNotFoundError)) throw error;
      }
    }
    return retried;
  }

  /** Deletes a finished job with its audit rows: `JobNotDeletableError` while it can still change. */
  async delete(id: string): Promise<void> {
    assertJobId(id);
    if (await this.store.deleteFinished(id)) return;
    const job = await this.get(id);
    throw new JobNotDeletableError(id, job.status === 'Canceled' ? 'Canceled but its handler is still running' : job.status);
  }

  /** One job; `JobNotFoundError` when there is none. */
  async get(id: string): Promise<BackgroundJob> {
    assertJobId(id);
    const job = await this.store.find(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }

  /** Jobs, newest first. */
  async list(filter: ListJobsFilter = {}): Promise<JobPage> {
    const { status, type, tenantId, ownerId, anyOf, limit, offset } = normalizeListFilter(filter);
    const base = {
      ...(status !== undefined ? { status: status as JobStatus } : {}),
      ...(type !== undefined ? { type } : {}),
      ...(tenantId !== undefined ? { tenantId } : {}),
      ...(ownerId !== undefined ? { ownerId } : {}),
    };
    // An array of conditions is TypeORM's OR. A scope that names neither an owner nor a
    // tenant, or contradicts the filter, matches nothing (never "everything"); so does
    // an empty `anyOf`.
    const scopes = anyOf
      ?.map(definedFields)
      .filter((scope) => Object.keys(scope).length > 0)
      .filter((scope) => (['ownerId', 'tenantId'] as const).every((k) => scope[k] === undefined || base[k] === undefined || scope[k] === base[k]));
    if (scopes && !scopes.length) return { items: [], total: 0, limit, offset };
    const where = scopes ? scopes.map((scope) => ({ ...base, ...scope })) : base;
    const [items, total] = await this.jobs.findAndCount({ where, order: { createdAt: 'DESC', id: 'ASC' }, take: limit, skip: offset });
    return { items, total, limit, offset };
  }

  /** The audit rows of a job, oldest first. */
  async history(id: string): Promise<JobExecutionLog[]> {
    await this.get(id);
    return this.logs.find({ where: { jobId: id }, order: { id: 'ASC' } });
  }

  /** Tells every worker process to abort the job's signal. A lost message is caught by the handler's next check. */
  private async signal(job: BackgroundJob): Promise<void> {
    try {
      await this.cancels.publish({ jobId: job.id, queueName: job.queueName, queueJobId: job.queueJobId ?? job.id });
    } catch (error) {
      this.logger.warn(`Cancel message for job ${job.id} not sent (${String(error)}); its worker will see the cancel at its next check`);
    }
  }

  /** Takes the canceled attempt out of the queue. If a worker holds it, its claim drops it. */
  private async dequeue(job: BackgroundJob): Promise<void> {
    try {
      await this.queues.remove(job.queueName, job.queueJobId ?? job.id);
    } catch (error) {
      this.logger.warn(`Job ${job.id} is canceled but its queue entry stays until a worker drops it (${String(error)})`);
    }
  }
}

/** The fields of a scope that are set: TypeORM reads an `undefined` condition as "any". */
function definedFields(scope: JobScope): JobScope {
  return {
    ...(scope.ownerId !== undefined ? { ownerId: scope.ownerId } : {}),
    ...(scope.tenantId !== undefined ? { tenantId: scope.tenantId } : {}),
  };
}

/** `<id>`, then `<id>_r1`, `<id>_r2`, …: each manual retry is a new queue job. */
function nextQueueJobId(job: BackgroundJob): string {
  const match = /_r(\d+)$/.exec(job.queueJobId ?? '');
  return `${job.id}_r${match ? Number(match[1]) + 1 : 1}`;
}
