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
    /**
     * How long a worker's hold on a running job lasts without renewal. When a worker
     * dies, its jobs go to another worker after about this long (and are retried).
     * @default 30000
     */
    lockDurationMs?: number;
  };
  /**
   * Mount the REST controller.
   * @default { enabled: true, path: 'jobs' }
   */
  http?: { enabled?: boolean; path?: string };
  /**
   * Mount the Socket.IO gateway.
   * @default { enabled: true, namespace: '/jobs' }
   */
  realtime?: { enabled?: boolean; namespace?: string };
  /** Who calls, for HTTP requests and socket handshakes. Default: everyone is anonymous. */
  resolvePrincipal?: ResolvePrincipal;
  /**
   * Name of the queue that carries jobs without a `queue` handler option.
   * @default 'background-jobs'
   */
  queueName?: string;
}
