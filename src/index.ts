export { BackgroundJobsModule } from './background-jobs.module.js';
export { BACKGROUND_JOBS_OPTIONS } from './background-jobs.module-definition.js';
export { BackgroundJobsService, type CancelResult, type JobPage } from './background-jobs.service.js';
export { JobEventBus } from './events/job-event.bus.js';
export { JobHandler } from './handlers/job-handler.decorator.js';
export { JobHandlerRegistry, type RegisteredJobHandler } from './handlers/job-handler.registry.js';
export { backoffDelayMs } from './handlers/backoff.js';
export type { JobContext } from './job-context.js';
export { JobStatus, JobPriority, ALLOWED_TRANSITIONS } from './job-status.js';
export { BackgroundJob, JobExecutionLog, BACKGROUND_JOBS_ENTITIES, type JobErrorType } from './entities/index.js';
export { BACKGROUND_JOBS_MIGRATIONS } from './migrations/index.js';
export * from './errors/index.js';
export * from './interfaces/index.js';
export { BACKGROUND_JOBS_MOUNTS, type BackgroundJobsMounts } from './background-jobs.mounts.js';
export { JobAccessPolicy, ADMIN_ROLE, type JobAccessSubject } from './access/job-access.policy.js';
export { PrincipalResolver } from './access/principal.resolver.js';
export {
  JobsController,
  createJobsController,
  type JobTypeInfo,
  JobsExceptionFilter,
  JobsPrincipalGuard,
  CurrentPrincipal,
  type ErrorBody,
  RequestBodyExceptionFilter,
  setupBackgroundJobsHttp,
  setupOpenApi,
  DEFAULT_JSON_BODY_LIMIT,
  MAX_PAYLOAD_BYTES,
  SubmitJobSchema,
  CancelJobSchema,
  ListJobsQuerySchema,
  JobIdSchema,
  type SubmitJobBody,
  type CancelJobBody,
  type ListJobsQuery,
} from './http/index.js';
export {
  JobsGateway,
  createJobsGateway,
  type SubscriptionAck,
  JobEventFanout,
  REALTIME_EVENTS,
  roomsOf,
  toRealtimeMessage,
  type JobStatusChangedMessage,
  type JobProgressMessage,
  type JobCanceledMessage,
  type RealtimeMessage,
  createRealtimeTransport,
  RedisRealtimeTransport,
  PostgresRealtimeTransport,
  type RealtimeTransport,
  type RoomEmitter,
} from './realtime/index.js';
