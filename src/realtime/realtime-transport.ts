import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import { Emitter as RedisEmitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import pg from 'pg';
import { MIGRATION_ADVISORY_LOCK_KEY } from 'bullmq';
import { Server, type Namespace, type ServerOptions } from 'socket.io';
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
    // `quit` waits for a connection that may never come; a client that is not ready just drops its queue.
    await Promise.allSettled(
      this.clients.splice(0).map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())),
    );
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
 * `@socket.io/postgres-adapter` (LISTEN/NOTIFY), channels named after the queue
 * schema, large packets in `<schema>.socket_io_attachments` (created when missing).
 *
 * A process without a gateway emits through a Socket.IO server that listens on no
 * port, with the same adapter, rather than through `@socket.io/postgres-emitter`:
 * that emitter (0.1.1, the latest) publishes packets without their namespace, and
 * the cluster adapter of `socket.io-adapter` 2.5 drops such packets ("ignore message
 * from another namespace"), so nothing would arrive.
 */
export class PostgresRealtimeTransport implements RealtimeTransport {
  private pool: Promise<pg.Pool> | null = null;
  private readonly servers: Server[] = [];
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
    replaceAdapter(nsp, await this.adapter());
  }

  async createEmitter(namespace: string): Promise<RoomEmitter> {
    const server = new Server({ adapter: (await this.adapter()) as unknown as ServerOptions['adapter'] });
    this.servers.push(server);
    const nsp = server.of(namespace);
    return { emit: (rooms, event, payload) => void nsp.to(rooms).emit(event, payload) };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.servers.splice(0).map((server) => server.close()));
    const pool = this.pool;
    this.pool = null;
    await pool?.then((p) => p.end()).catch(() => undefined);
  }

  private async adapter(): Promise<(nsp: Namespace) => unknown> {
    const pool = await this.ready();
    return createPostgresAdapter(pool, {
      channelPrefix: this.channelPrefix,
      tableName: this.tableName,
      errorHandler: (error: Error) => this.onError(error),
    });
  }

  private ready(): Promise<pg.Pool> {
    this.pool ??= this.open();
    return this.pool;
  }

  private async open(): Promise<pg.Pool> {
    const pool = new pg.Pool({ connectionString: this.url, max: 4 });
    pool.on('error', (error) => this.onError(error)); // a dropped idle client is replaced on the next query
    const client = await pool.connect();
    try {
      // BullMQ's migrator creates the same schema at the same moment: take its lock, so
      // that two CREATE ... IF NOT EXISTS never race (they would fail on a unique index).
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_ADVISORY_LOCK_KEY, this.schema]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema.replace(/"/g, '""')}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.tableName} (id bigserial UNIQUE, created_at timestamptz DEFAULT now(), payload bytea)`,
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
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
