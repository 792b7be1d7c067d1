import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { Emitter as PostgresEmitter } from '@socket.io/postgres-emitter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import { Emitter as RedisEmitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Namespace } from 'socket.io';
import { DEFAULT_PG_QUEUE_SCHEMA, DEFAULT_REDIS_PREFIX } from '../background-jobs.constants.js';
import type { QueueOptions } from '../interfaces/module-options.interface.js';

/** Sends one event to the union of some rooms of one namespace, on every process. */
export interface RoomEmitter {
  emit(rooms: string[], event: string, payload: unknown): void;
}

/**
 * How job events cross processes: Socket.IO's own adapter (in a process that serves
 * the namespace) and emitter (in a process that does not, e.g. a worker), on the
 * same broker as the queue. The two halves of one transport talk to each other on
 * channels scoped to the queue's prefix or schema, so two applications (or two test
 * runs) on one server do not hear each other.
 */
export interface RealtimeTransport {
  /** Replaces the namespace's in-memory adapter: its broadcasts reach the namespace on every process. */
  installAdapter(nsp: Namespace): Promise<void>;
  /** Broadcasts to the namespace on every process, from a process that serves none. */
  createEmitter(namespace: string): Promise<RoomEmitter>;
  close(): Promise<void>;
}

/** The transport for the queue's backend. */
export function createRealtimeTransport(queue: QueueOptions, onError?: (error: Error) => void): RealtimeTransport {
  return queue.backend === 'postgres'
    ? new PostgresRealtimeTransport(queue.url, queue.schema ?? DEFAULT_PG_QUEUE_SCHEMA, onError)
    : new RedisRealtimeTransport(queue.url, queue.prefix ?? DEFAULT_REDIS_PREFIX, onError);
}

/** `@socket.io/redis-adapter` + `@socket.io/redis-emitter`, channels under `<prefix>:socket.io`. */
export class RedisRealtimeTransport implements RealtimeTransport {
  private readonly clients: Redis[] = [];
  private readonly key: string;

  constructor(
    private readonly url: string,
    prefix: string,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.key = `${prefix}:socket.io`;
  }

  async installAdapter(nsp: Namespace): Promise<void> {
    replaceAdapter(nsp, createRedisAdapter(this.connect(), this.connect(), { key: this.key }));
  }

  async createEmitter(namespace: string): Promise<RoomEmitter> {
    const emitter = new RedisEmitter(this.connect(), { key: this.key }, namespace);
    return { emit: (rooms, event, payload) => void emitter.to(rooms).emit(event, payload) };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  }

  /**
   * A client that reconnects by itself and holds commands while Redis is away. The
   * adapter and the emitter publish without awaiting; a rejected publish (when the
   * client closes) is reported instead of becoming an unhandled rejection.
   */
  private connect(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: null });
    let reported = false;
    client.on('error', (error: Error) => {
      if (!reported) this.onError(error);
      reported = true;
    });
    client.on('ready', () => (reported = false));
    const publish = client.publish.bind(client) as (channel: string, message: string | Buffer) => Promise<number>;
    (client as unknown as { publish: typeof publish }).publish = (channel, message) =>
      publish(channel, message).catch((error: Error) => {
        this.onError(error);
        return 0;
      });
    this.clients.push(client);
    return client;
  }
}

/**
 * `@socket.io/postgres-adapter` + `@socket.io/postgres-emitter` (LISTEN/NOTIFY),
 * channels named after the queue schema, large packets in
 * `<schema>.socket_io_attachments` (created when missing).
 */
export class PostgresRealtimeTransport implements RealtimeTransport {
  private pool: pg.Pool | null = null;
  private readonly channelPrefix: string;
  private readonly tableName: string;

  constructor(
    private readonly url: string,
    private readonly schema: string,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.channelPrefix = `${schema}_socket.io`;
    this.tableName = `"${schema.replace(/"/g, '""')}".socket_io_attachments`;
  }

  async installAdapter(nsp: Namespace): Promise<void> {
    const pool = await this.ready();
    replaceAdapter(nsp, createPostgresAdapter(pool, { channelPrefix: this.channelPrefix, tableName: this.tableName }));
  }

  async createEmitter(namespace: string): Promise<RoomEmitter> {
    const emitter = new PostgresEmitter(await this.ready(), namespace, { channelPrefix: this.channelPrefix, tableName: this.tableName });
    return { emit: (rooms, event, payload) => void emitter.to(rooms).emit(event, payload) };
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.end().catch(() => undefined);
  }

  private async ready(): Promise<pg.Pool> {
    if (this.pool) return this.pool;
    const pool = new pg.Pool({ connectionString: this.url, max: 4 });
    pool.on('error', (error) => this.onError(error)); // a dropped idle client is replaced on the next query
    this.pool = pool;
    const schema = `"${this.schema.replace(/"/g, '""')}"`;
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${this.tableName} (id bigserial UNIQUE, created_at timestamptz DEFAULT now(), payload bytea)`,
    );
    return pool;
  }
}

/**
 * Socket.IO sets one adapter for the whole server (`io.adapter()`), which would also
 * move the application's other namespaces; we swap only our namespace's adapter,
 * before any socket joined it.
 */
function replaceAdapter(nsp: Namespace, Adapter: (nsp: Namespace) => unknown): void {
  const previous = nsp.adapter;
  const AdapterClass = Adapter as unknown as new (nsp: Namespace) => Namespace['adapter'];
  nsp.adapter = new AdapterClass(nsp);
  void Promise.resolve(nsp.adapter.init()).catch(() => undefined);
  void Promise.resolve(previous.close()).catch(() => undefined);
}
