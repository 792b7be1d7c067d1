import type { QueueOptions } from '../index.js';

/** Which parts of the application this process runs. */
export type AppRole = 'all' | 'api' | 'worker';

/** The application's settings, from the environment. */
export interface AppConfig {
  /** `PORT` @default 3000 */
  port: number;
  /** `DATABASE_URL`; when unset, an embedded PostgreSQL is started. */
  databaseUrl?: string;
  /** `REDIS_URL`; when set, the queue runs on Redis, otherwise on PostgreSQL. */
  redisUrl?: string;
  /** `QUEUE_PREFIX`: the Redis key prefix (Redis queue only). @default 'bgjobs' */
  queuePrefix?: string;
  /** `ROLE` @default 'all' */
  role: AppRole;
  /** `DATA_DIR`: where the embedded PostgreSQL keeps its files. @default './.data' */
  dataDir: string;
}

const ROLES: readonly AppRole[] = ['all', 'api', 'worker'];

/** Reads and checks the environment; throws a message that says what to fix. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const role = (env.ROLE ?? 'all') as AppRole;
  if (!ROLES.includes(role)) throw new Error(`ROLE must be one of ${ROLES.join(', ')}, got ${env.ROLE}`);
  return {
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    queuePrefix: env.QUEUE_PREFIX || undefined,
    role,
    dataDir: env.DATA_DIR || '.data',
  };
}

/** The queue: Redis when `REDIS_URL` is set, otherwise BullMQ's PostgreSQL backend on the records' database. */
export function queueOptions(config: AppConfig, databaseUrl: string): QueueOptions {
  return config.redisUrl
    ? { backend: 'redis', url: config.redisUrl, ...(config.queuePrefix ? { prefix: config.queuePrefix } : {}) }
    : { backend: 'postgres', url: databaseUrl };
}

/** A URL for logs, without its password. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}
