import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CANCEL_EVENT, CONTROL_QUEUE_SUFFIX, QUEUE_BACKEND } from '../background-jobs.constants.js';
import { JobHandlerRegistry } from '../handlers/job-handler.registry.js';
import type { EventPublisher, EventStream, QueueBackend } from '../queue/queue-backend.js';

/** A request to stop the handler of a running job, wherever it runs. */
export interface CancelMessage {
  jobId: string;
  queueName: string;
  queueJobId: string;
}

/**
 * Carries cancel requests to every worker process. It rides on the event stream of
 * a control queue (BullMQ's `QueueEventsProducer` / `QueueEvents`), which every
 * node already reaches and which the PostgreSQL backend provides too: no extra
 * broker, and one `XREAD BLOCK` (or `LISTEN`) per worker process.
 */
@Injectable()
export class CancelBroadcaster implements OnApplicationShutdown {
  private readonly logger = new Logger('BackgroundJobs');
  private publisher: EventPublisher | null = null;
  private stream: EventStream | null = null;

  constructor(
    @Inject(QUEUE_BACKEND) private readonly backend: QueueBackend,
    private readonly registry: JobHandlerRegistry,
  ) {}

  /** Sends a cancel request to every worker process. */
  async publish(message: CancelMessage): Promise<void> {
    this.publisher ??= this.backend.createEventPublisher(this.controlQueueName);
    await this.publisher.publishEvent({ eventName: CANCEL_EVENT, ...message });
  }

  /** Calls `listener` for every cancel request any process sends from now on. */
  async subscribe(listener: (message: CancelMessage) => void): Promise<void> {
    this.stream ??= this.backend.createEventStream(this.controlQueueName);
    this.stream.on(CANCEL_EVENT, (args) => {
      const { jobId, queueName, queueJobId } = args;
      if (jobId && queueName && queueJobId) listener({ jobId, queueName, queueJobId });
    });
    this.stream.on('error', (error) => this.logger.error(`Cancel stream: ${String(error)}`));
    await this.stream.waitUntilReady();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.publisher?.close(), this.stream?.close()]);
    this.publisher = null;
    this.stream = null;
  }

  private get controlQueueName(): string {
    return `${this.registry.defaultQueueName}${CONTROL_QUEUE_SUFFIX}`;
  }
}
