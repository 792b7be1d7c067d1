import { createPostgresBackend, createRedisBackend, withBackend, type JobsOptions } from 'bullmq';
import { DEFAULT_PG_QUEUE_SCHEMA, DEFAULT_REDIS_PREFIX } from '../background-jobs.constants.js';
import { InvalidModuleOptionsError } from '../errors/configuration-errors.js';
import type { QueueOptions } from '../interfaces/module-options.interface.js';

/** What the engine puts in a queue job: the record's id, nothing else. */
export interface QueueJobData {
  jobId: string;
}

/** The parts of a BullMQ job the processor uses. */
export interface QueueJob {
  id?: string;
  data: QueueJobData;
  attemptsStarted: number;
  moveToDelayed(timestamp: number, token?: string): Promise<void>;
}

/** One job of an `addBulk`. */
export interface QueueBulkJob {
  name: string;
  data: QueueJobData;
  opts: JobsOptions;
}

/** The parts of a BullMQ queue the engine uses. */
export interface JobQueue {
  addBulk(jobs: QueueBulkJob[]): Promise<unknown[]>;
  remove(jobId: string): Promise<number>;
  getJobState(jobId: string): Promise<string>;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The parts of a BullMQ worker the engine uses. */
export interface JobWorker {
  cancelJob(jobId: string, reason?: string): boolean;
  close(force?: boolean): Promise<void>;
  waitUntilReady(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A subscription to custom events published on a queue's event stream. */
export interface EventStream {
  on(event: string, listener: (args: Record<string, string>) => void): unknown;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

/** Publishes custom events on a queue's event stream. */
export interface EventPublisher {
  publishEvent(event: { eventName: string } & Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** `(job, token, signal)`: the three parameters are what makes BullMQ hand over a signal. */
export type QueueProcessor = (job: QueueJob, token: string | undefined, signal: AbortSignal | undefined) => Promise<unknown>;

/** How a worker runs: `maxStalledCount` is how many times a job may lose its worker (a crash) before BullMQ gives up on it. */
export type WorkerSettings = WorkerOptionsBase;

type WorkerOptionsBase = { concurrency: number; maxStalledCount: number; lockDuration: number; stalledInterval: number };

/** Builds the BullMQ objects of one backend, with that backend's connection type. */
interface BackendBuilders {
  queue(name: string): JobQueue;
  worker(name: string, processor: QueueProcessor, opts: WorkerOptionsBase): JobWorker;
  events(name: string): EventStream;
  publisher(name: string): EventPublisher;
}

function redisBuilders(url: string, prefix: string): BackendBuilders {
  const { Queue, Worker, QueueEvents, QueueEventsProducer } = withBackend(createRedisBackend);
  const connection = redisConnection(url);
  return {
    // Fail fast instead of buffering commands while Redis is down.
    queue: (name) => new Queue<QueueJobData>(name, { connection: { ...connection, enableOfflineQueue: false }, prefix }),
    worker: (name, processor, opts) => new Worker<QueueJobData>(name, processor as never, { connection, prefix, ...opts }),
    events: (name) => new QueueEvents(name, { connection, prefix }) as unknown as EventStream,
    publisher: (name) => new QueueEventsProducer(name, { connection, prefix }) as unknown as EventPublisher,
  };
}

function postgresBuilders(url: string, schema: string): BackendBuilders {
  const { Queue, Worker, QueueEvents, QueueEventsProducer } = withBackend(createPostgresBackend);
  // `migrate: true`: BullMQ creates or upgrades its queue tables in `schema` on connect
  // (serialized by an advisory lock), as Redis needs no setup; without it, a fresh
  // database fails with SchemaMigrationRequiredError.
  const connection = { connectionString: url, schema, migrate: true };
  return {
    queue: (name) => new Queue<QueueJobData>(name, { connection }),
    worker: (name, processor, opts) => new Worker<QueueJobData>(name, processor as never, { connection, ...opts }),
    events: (name) => new QueueEvents(name, { connection }) as unknown as EventStream,
    publisher: (name) => new QueueEventsProducer(name, { connection }) as unknown as EventPublisher,
  };
}

/**
 * The one seam between the engine and the queue: every BullMQ object is built
 * here, for the configured backend. Nothing else imports BullMQ's constructors.
 */
export class QueueBackend {
  private readonly builders: BackendBuilders;

  constructor(readonly options: QueueOptions) {
    if (options.backend === 'redis') {
      this.builders = redisBuilders(options.url, options.prefix ?? DEFAULT_REDIS_PREFIX);
    } else if (options.backend === 'postgres') {
      this.builders = postgresBuilders(options.url, options.schema ?? DEFAULT_PG_QUEUE_SCHEMA);
    } else {
      throw new InvalidModuleOptionsError(
        `queue.backend must be 'redis' or 'postgres', got ${JSON.stringify((options as { backend?: unknown }).backend)}`,
      );
    }
  }

  /** A queue for adding and removing jobs. */
  createQueue(name: string): JobQueue {
    return this.builders.queue(name);
  }

  createWorker(name: string, processor: QueueProcessor, settings: WorkerSettings): JobWorker {
    return this.builders.worker(name, processor, settings);
  }

  /** Reads the custom events of a queue's event stream. */
  createEventStream(name: string): EventStream {
    return this.builders.events(name);
  }

  /** Publishes custom events on a queue's event stream. */
  createEventPublisher(name: string): EventPublisher {
    return this.builders.publisher(name);
  }
}

/** ioredis options from a `redis://` or `rediss://` URL. */
function redisConnection(url: string): Record<string, unknown> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidModuleOptionsError(`queue.url is not a valid URL: ${url}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidModuleOptionsError(`queue.url must start with redis:// or rediss://, got ${parsed.protocol}`);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
