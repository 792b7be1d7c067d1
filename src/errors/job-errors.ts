/**
 * Thrown by a handler for a failure that retrying cannot fix: the job goes
 * straight to `DeadLetter`.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** The reason of a job's `AbortSignal` when the job was canceled. */
export class JobCanceledError extends Error {
  constructor(
    readonly jobId: string,
    message = `Job ${jobId} was canceled`,
  ) {
    super(message);
    this.name = 'JobCanceledError';
  }
}

/** The reason of a job's `AbortSignal` when the job ran past its `timeoutSeconds`. */
export class JobTimeoutError extends Error {
  constructor(
    readonly jobId: string,
    readonly timeoutSeconds: number,
  ) {
    super(`Job ${jobId} timed out after ${timeoutSeconds}s`);
    this.name = 'JobTimeoutError';
  }
}

/**
 * The reason of a job's `AbortSignal` when its worker shuts down before the handler
 * finished: the job is retried by another worker.
 */
export class WorkerShutdownError extends Error {
  constructor(readonly jobId: string) {
    super(`Job ${jobId} was interrupted because its worker shut down`);
    this.name = 'WorkerShutdownError';
  }
}
