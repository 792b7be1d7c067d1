import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import { Emitter as RedisEmitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
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
    // quit() on a client that never connected waits for Redis forever (its commands are held): disconnect it.
    await Promise.allSettled(this.clients.splice(0).map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
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

  /**
   * Not `@socket.io/postgres-emitter` (0.1.1, its latest): it omits the message's
   * `nsp`, by which `@socket.io/postgres-adapter` 0.5 routes, so every event from a
   * worker was dropped. This publishes what the adapter itself publishes: a BROADCAST
   * cluster message on `<channelPrefix>#<namespace>`, through the attachments table
   * when it exceeds NOTIFY's payload limit.
   */
  async createEmitter(namespace: string): Promise<RoomEmitter> {
    const pool = await this.ready();
    const channel = `${this.channelPrefix}#${namespace}`;
    const uid = `emitter-${randomUUID()}`;
    const publish = async (message: Record<string, unknown>): Promise<void> => {
      const json = JSON.stringify(message);
      if (Buffer.byteLength(json) <= PG_NOTIFY_PAYLOAD_THRESHOLD) {
        await pool.query('SELECT pg_notify($1, $2)', [channel, json]);
        return;
      }
      const { rows } = await pool.query<{ id: string }>(`INSERT INTO ${this.tableName} (payload) VALUES ($1) RETURNING id`, [
        Buffer.from(msgpackEncode(message)),
      ]);
      await pool.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ uid, type: message.type, attachmentId: rows[0].id })]);
    };
    return {
      emit: (rooms, event, payload) =>
        void publish({
          uid,
          nsp: namespace,
          type: BROADCAST_MESSAGE,
          data: { packet: { type: SOCKET_IO_EVENT_PACKET, data: [event, payload], nsp: namespace }, opts: { rooms, except: [], flags: {} } },
        }).catch((error: Error) => this.onError(error)),
    };
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

/** socket.io-adapter's `MessageType.BROADCAST`. */
const BROADCAST_MESSAGE = 3;
/** socket.io-parser's `PacketType.EVENT`. */
const SOCKET_IO_EVENT_PACKET = 2;
/** Above this many bytes a message goes through the attachments table (NOTIFY takes < 8000). */
const PG_NOTIFY_PAYLOAD_THRESHOLD = 7900;

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
