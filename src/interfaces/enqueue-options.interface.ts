import type { EntityManager } from 'typeorm';
import type { JobPriority } from '../job-status.js';

/** Options of `BackgroundJobsService.enqueue`; each overrides the handler's default. */
export interface EnqueueOptions {
  priority?: JobPriority;
  tenantId?: string;
  ownerId?: string;
  /** Start no earlier than this many milliseconds from now. */
  delayMs?: number;
  timeoutSeconds?: number;
  maxRetries?: number;
  /** Id of a job that must complete first. */
  dependsOn?: string;
  /** Write the record inside the caller's transaction. */
  manager?: EntityManager;
}

/** Filter of `BackgroundJobsService.list`. */
export interface ListJobsFilter {
  status?: string;
  type?: string;
  tenantId?: string;
  ownerId?: string;
  /**
   * Only jobs that match at least one of these scopes (each scope's fields must all
   * match; a scope with neither field matches nothing): how the REST API limits a
   * list to the jobs its caller may read.
   */
  anyOf?: JobScope[];
  /** @default 20, at most 100 */
  limit?: number;
  /** @default 0 */
  offset?: number;
}

/** Jobs of one owner and/or one tenant. */
export interface JobScope {
  ownerId?: string;
  tenantId?: string;
}

/** Who cancels and why. */
export interface CancelOptions {
  by?: string;
  reason?: string;
}

/** What a cancel did. */
export type CancelOutcome = 'dequeued' | 'signaled' | 'noop';
