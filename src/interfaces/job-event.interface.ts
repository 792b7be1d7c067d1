import type { BackgroundJob } from '../entities/background-job.entity.js';
import type { JobStatus } from '../job-status.js';
import type { CancelOutcome } from './enqueue-options.interface.js';

/** A status change, published once after its transaction committed. */
export interface JobStatusChangedEvent {
  kind: 'status';
  job: BackgroundJob;
  fromStatus: JobStatus | null;
  toStatus: JobStatus;
}

/** A progress update, published once after it was written. */
export interface JobProgressEvent {
  kind: 'progress';
  jobId: string;
  ownerId: string | null;
  tenantId: string | null;
  progress: number;
  progressMessage: string | null;
  updatedAt: Date;
}

/** A cancel request that changed the job. */
export interface JobCanceledEvent {
  kind: 'canceled';
  job: BackgroundJob;
  outcome: Exclude<CancelOutcome, 'noop'>;
}

/** Everything on the module's one internal event stream. */
export type JobEvent = JobStatusChangedEvent | JobProgressEvent | JobCanceledEvent;
