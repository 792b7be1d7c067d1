import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { QUEUE_BACKEND } from '../background-jobs.constants.js';
import { QueueUnavailableError } from '../errors/service-errors.js';
import { QUEUE_PRIORITY, type JobPriority } from '../job-status.js';
import { TickBatcher } from '../tick-batcher.js';
import type { JobQueue, QueueBackend, QueueBulkJob } from './queue-backend.js';

/** How long an add or remove may wait for the queue before the caller gets `QueueUnavailableError`. */
const QUEUE_CALL_TIMEOUT_MS = 5000;

/** What the engine asks of the queue for one attempt of a job. */
export interface QueueAddRequest {
  queueName: string;
  queueJobId: string;
  jobId: string;
  type: string;
  priority: JobPriority;
  delayMs: number;
}

/** The engine's queues, one per queue name, created on first use. */
@Injectable()
export class JobQueues implements OnApplicationShutdown {
  private readonly logger = new Logger('BackgroundJobs');
  private readonly queues = new Map<string, JobQueue>();
  private readonly adders = new Map<string, TickBatcher<QueueAddRequest, void>>();
  private lastErrorAt = 0;

  constructor(@Inject(QUEUE_BACKEND) private readonly backend: QueueBackend) {}

  /**
   * Adds one attempt; the deterministic `queueJobId` makes a repeated add a no-op.
   * The adds of one event-loop tick go to the queue together (`addBulk`).
   */
  async add(request: QueueAddRequest): Promise<void> {
    let batcher = this.adders.get(request.queueName);
    if (!batcher) {
      const queue = this.get(request.queueName);
      batcher = new TickBatcher<QueueAddRequest, void>(
        async (requests) => {
          await withTimeout(queue.addBulk(requests.map(toBulkJob)));
          return requests.map(() => undefined);
        },
        (r) => r.queueJobId,
      );
      this.adders.set(request.queueName, batcher);
    }
    await batcher.submit(request);
  }

  /** Removes a waiting or delayed attempt; false when it is running (locked) or gone. */
  async remove(queueName: string, queueJobId: string): Promise<boolean> {
    return (await withTimeout(this.get(queueName).remove(queueJobId))) === 1;
  }

  /** BullMQ's state of a queue job (`waiting`, `active`, `delayed`, `failed`, …), or `unknown` when it does not exist. */
  async state(queueName: string, queueJobId: string): Promise<string> {
    return withTimeout(this.get(queueName).getJobState(queueJobId));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }

  private reportError(name: string, error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorAt < 10_000) return;
    this.lastErrorAt = now;
    this.logger.warn(`Queue ${name}: ${error.message}`);
  }

  private get(name: string): JobQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.backend.createQueue(name);
      // Without a listener, the client prints every reconnect failure; callers get QueueUnavailableError instead.
      queue.on('error', (error) => this.reportError(name, error));
      this.queues.set(name, queue);
    }
    return queue;
  }
}

function toBulkJob(request: QueueAddRequest): QueueBulkJob {
  return {
    name: request.type,
    data: { jobId: request.jobId },
    opts: {
      jobId: request.queueJobId,
      priority: QUEUE_PRIORITY[request.priority],
      delay: request.delayMs,
      // The record in PostgreSQL is the job's history; the queue keeps only what it needs.
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 7 * 86400 },
    },
  };
}

async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${QUEUE_CALL_TIMEOUT_MS} ms`)), QUEUE_CALL_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } catch (error) {
    throw new QueueUnavailableError(error);
  } finally {
    clearTimeout(timer);
  }
}
