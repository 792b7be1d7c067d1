import type { Type } from '@nestjs/common';
import type { JobAccessPolicy } from '../access/job-access.policy.js';
/** Who calls: the result of `resolvePrincipal`. Role `admin` sees and acts on everything. */
export interface Principal {
  id: string;
  tenantId?: string;
  roles?: string[];
}

/** The part of an HTTP request or socket handshake that `resolvePrincipal` reads. */
export interface PrincipalRequest {
  headers: Record<string, string | string[] | undefined>;
}

/** Turns a request or handshake into a `Principal`; `undefined` means anonymous. */
export type ResolvePrincipal = (req: PrincipalRequest) => Principal | undefined | Promise<Principal | undefined>;

/** The queue on Redis. */
export interface RedisQueueOptions {
  backend: 'redis';
  /** `redis://host:port/db` */
  url: string;
  /**
   * Key prefix of every queue key: give each application (or test run) its own.
   * @default 'bgjobs'
   */
  prefix?: string;
}

/** The queue on PostgreSQL, through BullMQ's PostgreSQL backend. */
export interface PostgresQueueOptions {
  backend: 'postgres';
  /** `postgres://user@host:port/db` */
  url: string;
  /**
   * Schema holding the queue tables.
   * @default 'bullmq'
   */
  schema?: string;
}

export type QueueOptions = RedisQueueOptions | PostgresQueueOptions;

/** Where the REST controller is mounted. */
export interface HttpOptions {
  /** @default true */
  enabled?: boolean;
  /** Route prefix of the controller. @default 'jobs' */
  path?: string;
}

/** Where the Socket.IO gateway is mounted, and how events leave a process. */
export interface RealtimeOptions {
  /** Serve the gateway in this process (needs an HTTP application). @default true */
  enabled?: boolean;
  /** @default '/jobs' */
  namespace?: string;
  /**
   * When this process serves no gateway (a worker, or `enabled: false`), still send
   * its job events to the gateways of the other processes, through Socket.IO's
   * emitter for the queue's backend. `false` keeps the process silent.
   * @default true
   */
  publish?: boolean;
}

/**
 * What `forRoot` / `forRootAsync` need when the module is defined, before any
 * provider exists: which controller and gateway to mount, and the access policy
 * class. In `forRootAsync` give them at the top level, next to `useFactory`; the
 * factory's result may not contain them.
 */
export interface BackgroundJobsMountOptions {
  http?: HttpOptions;
  realtime?: RealtimeOptions;
  /**
   * The access rules: a subclass of `JobAccessPolicy`. Its dependencies must be
   * visible to the module (list their modules in `forRootAsync({ imports })`).
   * @default JobAccessPolicy
   */
  accessPolicy?: Type<JobAccessPolicy>;
}

/** Options of `BackgroundJobsModule.forRoot` / `forRootAsync`. */
export interface BackgroundJobsModuleOptions {
  /** Where the queue lives. */
  queue: QueueOptions;
  /**
   * Run handlers in this process.
   * @default { enabled: true, concurrency: 10, shutdownGraceMs: 10000 }
   */
  worker?: {
    enabled?: boolean;
    /** How many jobs this process runs at once. @default 10 */
    concurrency?: number;
    /**
     * On shutdown, how long running handlers may take to finish before their signal
     * is aborted and the job is handed back to the queue for another worker.
     * @default 10000
     */
    shutdownGraceMs?: number;
  };
  /**
   * Mount the REST controller.
   * @default { enabled: true, path: 'jobs' }
   */
  http?: HttpOptions;
  /**
   * Mount the Socket.IO gateway.
   * @default { enabled: true, namespace: '/jobs', publish: true }
   */
  realtime?: RealtimeOptions;
  /** Who calls, for HTTP requests and socket handshakes. Default: everyone is anonymous. */
  resolvePrincipal?: ResolvePrincipal;
  /**
   * Name of the queue that carries jobs without a `queue` handler option.
   * @default 'background-jobs'
   */
  queueName?: string;
}
