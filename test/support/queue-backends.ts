import { Queue, createPostgresBackend, withBackend } from 'bullmq';
import type { QueueOptions } from '../../src/index.js';
import type { TestEnv } from './test-env.js';

/** The queue backends the e2e suites run on. */
export type BackendKind = 'redis' | 'postgres';

/** The module's `queue` option for this test env on `kind`: its own Redis prefix or its own queue schema. */
export function queueOptionsFor(env: TestEnv, kind: BackendKind): QueueOptions {
  return kind === 'redis'
    ? { backend: 'redis', url: env.redisUrl, prefix: env.prefix }
    : { backend: 'postgres', url: env.databaseUrl, schema: env.queueSchema };
}

/** A `queue` option pointing at a port where nothing listens. */
export function unreachableQueueOptions(env: TestEnv, kind: BackendKind): QueueOptions {
  return kind === 'redis'
    ? { backend: 'redis', url: 'redis://127.0.0.1:1', prefix: env.prefix }
    : { backend: 'postgres', url: 'postgres://postgres@127.0.0.1:1/test', schema: env.queueSchema };
}

/** What the suites read from the queue directly. */
export interface InspectionQueue {
  getJob(id: string): Promise<{ getState(): Promise<string> } | undefined>;
  close(): Promise<void>;
}

/** A BullMQ queue on the same backend as the app under test, to look at its jobs. */
export function openInspectionQueue(env: TestEnv, kind: BackendKind, name = 'background-jobs'): InspectionQueue {
  if (kind === 'redis') {
    const url = new URL(env.redisUrl);
    return new Queue(name, { connection: { host: url.hostname, port: Number(url.port || 6379) }, prefix: env.prefix });
  }
  const { Queue: PgQueue } = withBackend(createPostgresBackend);
  return new PgQueue(name, { connection: { connectionString: env.databaseUrl, schema: env.queueSchema } }) as unknown as InspectionQueue;
}
