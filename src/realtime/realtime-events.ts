import type { BackgroundJob } from '../entities/background-job.entity.js';
import type { CancelOutcome } from '../interfaces/enqueue-options.interface.js';
import type { JobEvent } from '../interfaces/job-event.interface.js';
import type { JobStatus } from '../job-status.js';

/** Socket.IO event names. */
export const REALTIME_EVENTS = {
  statusChanged: 'job_status_changed',
  progress: 'job_progress',
  canceled: 'job_canceled',
} as const;

/** `job_status_changed`: `result` when it completed, `errorMessage` when it went to Failed, TimedOut or DeadLetter. */
export interface JobStatusChangedMessage {
  jobId: string;
  fromStatus: JobStatus | null;
  toStatus: JobStatus;
  /** ISO-8601 UTC. */
  updatedAt: string;
  result?: unknown;
  errorMessage?: string;
}

/** `job_progress`. */
export interface JobProgressMessage {
  jobId: string;
  status: 'Running';
  progress: number;
  progressMessage: string | null;
  updatedAt: string;
}

/** `job_canceled`. */
export interface JobCanceledMessage {
  jobId: string;
  canceledBy: string | null;
  canceledAt: string | null;
  reason: string | null;
  outcome: Exclude<CancelOutcome, 'noop'>;
}

/** One Socket.IO emit: the event, its payload and the rooms that receive it. */
export interface RealtimeMessage {
  event: (typeof REALTIME_EVENTS)[keyof typeof REALTIME_EVENTS];
  payload: JobStatusChangedMessage | JobProgressMessage | JobCanceledMessage;
  rooms: string[];
}

/** Statuses whose event carries the attempt's `errorMessage`. */
const FAILED_STATUSES: readonly JobStatus[] = ['Failed', 'TimedOut', 'DeadLetter'];

/** Room of the sockets that subscribed to one job. */
export const jobRoom = (jobId: string): string => `job:${jobId}`;

/** `job:<id>`, `user:<ownerId>` and `tenant:<tenantId>`: everyone who may watch the job. */
export function roomsOf(jobId: string, ownerId: string | null, tenantId: string | null): string[] {
  return [jobRoom(jobId), ...(ownerId ? [`user:${ownerId}`] : []), ...(tenantId ? [`tenant:${tenantId}`] : [])];
}

/** The Socket.IO message of a core event; every timestamp as an ISO string, so every transport carries it the same way. */
export function toRealtimeMessage(event: JobEvent): RealtimeMessage {
  switch (event.kind) {
    case 'status': {
      const { job } = event;
      const payload: JobStatusChangedMessage = {
        jobId: job.id,
        fromStatus: event.fromStatus,
        toStatus: event.toStatus,
        updatedAt: iso(job.updatedAt) ?? new Date().toISOString(),
        ...(event.toStatus === 'Completed' ? { result: job.result } : {}),
        ...(job.errorMessage && FAILED_STATUSES.includes(event.toStatus) ? { errorMessage: job.errorMessage } : {}),
      };
      return { event: REALTIME_EVENTS.statusChanged, payload, rooms: roomsOf(job.id, job.ownerId, job.tenantId) };
    }
    case 'progress':
      return {
        event: REALTIME_EVENTS.progress,
        payload: {
          jobId: event.jobId,
          status: 'Running',
          progress: event.progress,
          progressMessage: event.progressMessage,
          updatedAt: iso(event.updatedAt) ?? new Date().toISOString(),
        },
        rooms: roomsOf(event.jobId, event.ownerId, event.tenantId),
      };
    case 'canceled':
      return {
        event: REALTIME_EVENTS.canceled,
        payload: canceledMessage(event.job, event.outcome),
        rooms: roomsOf(event.job.id, event.job.ownerId, event.job.tenantId),
      };
  }
}

function canceledMessage(job: BackgroundJob, outcome: Exclude<CancelOutcome, 'noop'>): JobCanceledMessage {
  return { jobId: job.id, canceledBy: job.canceledBy, canceledAt: iso(job.canceledAt), reason: job.cancelReason, outcome };
}

function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}
