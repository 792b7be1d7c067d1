import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from './background-jobs.constants.js';
import { InvalidJobInputError } from './errors/service-errors.js';
import type { ListJobsFilter } from './interfaces/enqueue-options.interface.js';
import { JOB_PRIORITIES, JOB_STATUSES, type JobPriority } from './job-status.js';

/** The shape of a job id: a UUID. */
export const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` has the shape of a job id (a UUID). */
export function isJobId(id: unknown): id is string {
  return typeof id === 'string' && JOB_ID_PATTERN.test(id);
}

/** Job ids are UUIDs; anything else is refused before a query is made. */
export function assertJobId(id: unknown): asserts id is string {
  if (!isJobId(id)) {
    throw new InvalidJobInputError(`${JSON.stringify(id) ?? String(id)} is not a valid job id: expected a UUID`);
  }
}

/**
 * Refuses a value that would not survive a trip through JSON unchanged: functions,
 * symbols, bigints, non-finite numbers, cycles, and objects other than plain
 * objects, arrays and dates.
 */
export function assertJsonValue(value: unknown, what = 'payload'): void {
  const seen = new Set<object>();
  const visit = (v: unknown, path: string): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InvalidJobInputError(`${path} is ${v}, which JSON cannot hold`);
      return;
    }
    if (typeof v !== 'object') throw new InvalidJobInputError(`${path} is a ${typeof v}, which JSON cannot hold`);
    if (v instanceof Date) return;
    if (seen.has(v)) throw new InvalidJobInputError(`${path} refers to itself (a cycle), which JSON cannot hold`);
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, `${path}[${i}]`));
    } else {
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new InvalidJobInputError(`${path} is a ${v.constructor?.name ?? 'class instance'}, not a plain object`);
      }
      for (const [key, item] of Object.entries(v)) if (item !== undefined) visit(item, `${path}.${key}`);
    }
    seen.delete(v);
  };
  if (value !== undefined) visit(value, what);
}

export function assertPriority(priority: unknown): asserts priority is JobPriority {
  if (!JOB_PRIORITIES.includes(priority as JobPriority)) {
    throw new InvalidJobInputError(`priority must be one of ${JOB_PRIORITIES.join(', ')}, got ${JSON.stringify(priority)}`);
  }
}

/** A whole number ≥ `min`; `name` is used in the message. */
export function assertInteger(value: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidJobInputError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
}

/** A finite number > 0. */
export function assertPositive(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidJobInputError(`${name} must be a number greater than 0, got ${JSON.stringify(value)}`);
  }
}

/** `limit` and `offset` with their defaults, and a known status. */
export function normalizeListFilter(filter: ListJobsFilter): Required<Pick<ListJobsFilter, 'limit' | 'offset'>> & ListJobsFilter {
  const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
  const offset = filter.offset ?? 0;
  assertInteger(limit, 'limit', 1, MAX_LIST_LIMIT);
  assertInteger(offset, 'offset', 0);
  if (filter.status !== undefined && !JOB_STATUSES.includes(filter.status as never)) {
    throw new InvalidJobInputError(`status must be one of ${JOB_STATUSES.join(', ')}, got ${JSON.stringify(filter.status)}`);
  }
  return { ...filter, limit, offset };
}
