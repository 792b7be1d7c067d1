/** Lifecycle status of a background job. */
export const JobStatus = {
  Pending: 'Pending',
  Queued: 'Queued',
  Running: 'Running',
  Completed: 'Completed',
  Failed: 'Failed',
  DeadLetter: 'DeadLetter',
  Canceled: 'Canceled',
  TimedOut: 'TimedOut',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** Scheduling priority of a job; higher priorities are taken from the queue first. */
export const JobPriority = {
  Low: 'Low',
  Normal: 'Normal',
  High: 'High',
  Critical: 'Critical',
} as const;
export type JobPriority = (typeof JobPriority)[keyof typeof JobPriority];

export const JOB_STATUSES: readonly JobStatus[] = Object.values(JobStatus);
export const JOB_PRIORITIES: readonly JobPriority[] = Object.values(JobPriority);

/**
 * Every transition the engine may make. The transition store refuses any other,
 * so no race can produce one.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  Pending: ['Queued', 'Canceled'],
  Queued: ['Running', 'Canceled', 'DeadLetter'],
  Running: ['Completed', 'Failed', 'DeadLetter', 'Canceled', 'TimedOut'],
  Failed: ['Queued', 'DeadLetter', 'Canceled'],
  TimedOut: ['Queued', 'DeadLetter', 'Canceled'],
  DeadLetter: ['Queued'],
  Completed: [],
  Canceled: [],
};

/** Statuses from which a job can be canceled without a handler running. */
export const DEQUEUEABLE_STATUSES: readonly JobStatus[] = ['Pending', 'Queued', 'Failed', 'TimedOut'];

/** Statuses in which nothing more happens on its own (cancel is a `noop`). */
export const SETTLED_STATUSES: readonly JobStatus[] = ['Completed', 'Canceled', 'DeadLetter'];

/** BullMQ priorities: 1 is taken first. Every job gets one so that order is consistent. */
export const QUEUE_PRIORITY: Readonly<Record<JobPriority, number>> = {
  Critical: 1,
  High: 2,
  Normal: 3,
  Low: 4,
};
