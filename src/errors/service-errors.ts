/** No handler is registered for the job type. */
export class UnknownJobTypeError extends Error {
  constructor(readonly type: string) {
    super(`Unknown job type "${type}": register a method with @JobHandler('${type}')`);
    this.name = 'UnknownJobTypeError';
  }
}

/** No job with this id exists. */
export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`Job ${jobId} not found`);
    this.name = 'JobNotFoundError';
  }
}

/** Input that the engine refuses before writing anything. */
export class InvalidJobInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidJobInputError';
  }
}

/** The job is in a status from which a manual retry is not possible. */
export class JobNotRetryableError extends Error {
  constructor(
    readonly jobId: string,
    readonly status: string,
  ) {
    super(`Job ${jobId} is ${status}; only DeadLetter jobs can be retried`);
    this.name = 'JobNotRetryableError';
  }
}

/** Only finished jobs (whose handler, if any, has returned) can be deleted. */
export class JobNotDeletableError extends Error {
  constructor(
    readonly jobId: string,
    readonly status: string,
  ) {
    super(`Job ${jobId} is ${status}; only finished jobs (Completed, Canceled and stopped, DeadLetter) can be deleted`);
    this.name = 'JobNotDeletableError';
  }
}

/** A server the engine needs did not answer; nothing was changed (HTTP 503). */
export abstract class DependencyUnavailableError extends Error {
  constructor(what: string, consequence: string, cause: unknown) {
    super(`The job ${what} is unreachable (${cause instanceof Error ? cause.message : String(cause)}); ${consequence}, try again later`, {
      cause,
    });
  }
}

/** The queue (Redis or PostgreSQL) did not accept the job; nothing was kept. */
export class QueueUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('queue', 'nothing was enqueued', cause);
    this.name = 'QueueUnavailableError';
  }
}

/** The database did not answer; the change was not made. */
export class DatabaseUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('database', 'nothing was changed', cause);
    this.name = 'DatabaseUnavailableError';
  }
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03']);

/** Whether a driver error means "cannot reach the server" rather than "the statement is wrong". */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Connection is closed|Stream isn't writeable/i.test(
    error.message,
  );
}
