import type { JobPriority } from '../job-status.js';

/**
 * How long to wait before retry number `attempt` (1 for the first retry).
 * Either a function, or the parameters of an exponential backoff
 * `baseMs · factor^(attempt-1)` with ± `jitter` (a fraction), capped at `maxMs`.
 */
export type BackoffOptions =
  | ((retry: number) => number)
  | {
      /** @default 60000 */
      baseMs?: number;
      /** @default 2 */
      factor?: number;
      /** @default 0.2 */
      jitter?: number;
      /** @default 86400000 (one day) */
      maxMs?: number;
    };

/** Options of `@JobHandler(type, options)`. */
export interface JobHandlerOptions {
  /** The handler's signal aborts with `JobTimeoutError` after this long. @default 300 */
  timeoutSeconds?: number;
  /** Automatic retries after the first attempt. @default 5 */
  maxRetries?: number;
  /** @default 'Normal' */
  priority?: JobPriority;
  /** Delay before each retry. @default 60 s · 2^(n-1) ± 20 % */
  backoff?: BackoffOptions;
  /** Seconds during which an identical job is refused as a duplicate. @default 0 (off) */
  dedupWindowSeconds?: number;
  /** At most `max` jobs of this type per `windowSeconds`. */
  rateLimit?: { max: number; windowSeconds: number };
  /** Role a principal needs to submit this type over HTTP. */
  requiresRole?: string;
  /** Queue that carries jobs of this type. @default the module's `queueName` */
  queue?: string;
}
