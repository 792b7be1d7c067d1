/** Default name of the queue that carries jobs. */
export const DEFAULT_QUEUE_NAME = 'background-jobs';

/** Default Redis key prefix. */
export const DEFAULT_REDIS_PREFIX = 'bgjobs';

/** Default schema of the PostgreSQL queue backend. */
export const DEFAULT_PG_QUEUE_SCHEMA = 'bullmq';

/** Metadata key under which `@JobHandler` records its entries on a class. */
export const JOB_HANDLER_METADATA = 'nest-background-jobs:handlers';

/** Name of the custom queue event that carries a cancel request to every worker. */
export const CANCEL_EVENT = 'bgjobs-cancel';

/** Suffix of the control queue whose event stream carries cancel requests. */
export const CONTROL_QUEUE_SUFFIX = '-control';

/** Progress is written at most this often per job (100 % is always written). */
export const PROGRESS_WRITE_INTERVAL_MS = 1000;

/** A handler that misses a cancel message re-reads its status at most this often. */
export const CANCEL_RECHECK_INTERVAL_MS = 1000;

/** How long a handler may take to return after its signal aborted, before the worker moves on. */
export const ABORT_GRACE_MS = 5000;

export const DEFAULT_TIMEOUT_SECONDS = 300;
export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
export const DEFAULT_LOCK_DURATION_MS = 30_000;
export const MAX_LIST_LIMIT = 100;
export const DEFAULT_LIST_LIMIT = 20;

/** Injection token of the `QueueBackend` built from the module's `queue` option. */
export const QUEUE_BACKEND = Symbol('nest-background-jobs:queue-backend');
