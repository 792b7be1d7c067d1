import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's servers; override with TEST_DATABASE_URL / TEST_REDIS_URL. */
export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A private corner of the shared servers for one test file: its own schema and queue prefix. */
export interface TestEnv {
  schema: string;
  /** Schema of the PostgreSQL queue backend, for suites that run the queue on PostgreSQL. */
  queueSchema: string;
  prefix: string;
  databaseUrl: string;
  redisUrl: string;
  /** A pool on the test schema, for assertions that read the tables directly. */
  pool: pg.Pool;
  /** Drops the schemas and the queue's keys: only what this run created. */
  cleanup(): Promise<void>;
}

export async function createTestEnv(label: string): Promise<TestEnv> {
  const suffix = `${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const schema = `bgj_${suffix}`;
  const prefix = `bgj-test-${suffix}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: DATABASE_URL, options: `-c search_path=${schema}`, max: 4 });
  const queueSchema = `${schema}_q`;
  return {
    schema,
    queueSchema,
    prefix,
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    pool,
    async cleanup() {
      await pool.end();
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS "${queueSchema}" CASCADE`);
      await client.end();
      await deleteRedisKeys(REDIS_URL, `${prefix}:*`);
    },
  };
}

/** Deletes the keys that match `pattern` (our own prefix only; never a flush). */
export async function deleteRedisKeys(url: string, pattern: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
