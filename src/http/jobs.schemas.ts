import { z } from 'zod';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../background-jobs.constants.js';
import { JOB_PRIORITIES, JOB_STATUSES, type JobPriority, type JobStatus } from '../job-status.js';
import { JOB_ID_PATTERN } from '../job-input.validation.js';

/**
 * The request schemas of the REST API, in zod. Each one validates (through Nest's
 * `StandardSchemaValidationPipe`) and documents (through @nestjs/swagger's Standard
 * Schema support) its input: one definition, no drift between the two.
 */

/** Largest `payload` accepted, as JSON bytes (256 KiB); a larger one gets 413. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** Longest `delayMs` accepted: one year. */
export const MAX_DELAY_MS = 365 * 24 * 3600 * 1000;

const objectBody = (what: string) => ({
  error: (issue: { code: string }) => (issue.code === 'invalid_type' ? `the body must be a JSON object: ${what}` : undefined),
});

const UUID_EXAMPLE = '3f0c8a52-6d0e-4a8e-9d7e-0c5b1e2f4a61';

/** A job id (a UUID) in a body. */
export const JobIdSchema = z.string().regex(JOB_ID_PATTERN, { error: `must be a job id (a UUID such as ${UUID_EXAMPLE})` });

/** The `:id` of a route. */
export const JobIdParamSchema = z.string().regex(JOB_ID_PATTERN, { error: `the id in the path must be a job id (a UUID such as ${UUID_EXAMPLE})` });

const jobType = z.string({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a string: the name of a registered job type' : undefined) }).min(1).max(200);

/** `POST /jobs`. */
export const SubmitJobSchema = z
  .strictObject(
    {
      type: jobType.describe('A registered job type (see GET /jobs/types)'),
      payload: z.unknown().optional().describe(`Any JSON value, at most ${MAX_PAYLOAD_BYTES} bytes once serialized`),
      priority: z.enum(JOB_PRIORITIES as [JobPriority, ...JobPriority[]]).optional(),
      delayMs: z.number().int().min(0).max(MAX_DELAY_MS).optional().describe('Start no earlier than this many milliseconds from now'),
      dependsOn: JobIdSchema.optional().describe('Id of a job that must complete first'),
    },
    objectBody('{ "type": "…", "payload": … }'),
  )
  .meta({ id: 'SubmitJob' });
export type SubmitJobBody = z.infer<typeof SubmitJobSchema>;

/** `POST /jobs/:id/cancel` (the body may be left out). */
export const CancelJobSchema = z
  .strictObject({ reason: z.string().max(1000).optional().describe('Recorded as cancelReason') }, objectBody('{ "reason": "…" }'))
  .optional();
export type CancelJobBody = z.infer<typeof CancelJobSchema>;

/** `POST /jobs/dead-letter/retry`: the DeadLetter jobs among `ids` and/or of `type`; all of them when empty. */
export const RetryDeadLettersSchema = z
  .strictObject(
    {
      ids: z.array(JobIdSchema).max(1000, { error: 'at most 1000 ids at a time' }).optional(),
      type: jobType.optional(),
    },
    objectBody('{ "ids": ["…"], "type": "…" }'),
  )
  .optional()
  .meta({ id: 'RetryDeadLetters' });
export type RetryDeadLettersBody = z.infer<typeof RetryDeadLettersSchema>;

export const RetryDeadLettersResponseSchema = z.object({ retried: z.number().int() }).meta({ id: 'RetriedDeadLetters' });

/** A whole number from `min` to `max` in a query string. */
const queryInt = (min: number, max: number) =>
  z
    .string({ error: (issue) => (issue.code === 'invalid_type' ? 'must be given once, as a whole number' : undefined) })
    .regex(/^\d{1,10}$/, { error: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));

/** `GET /jobs?status=&type=&limit=&offset=`. */
export const ListJobsQuerySchema = z.strictObject({
  status: z.enum(JOB_STATUSES as [JobStatus, ...JobStatus[]]).optional(),
  type: jobType.optional(),
  limit: queryInt(1, MAX_LIST_LIMIT).optional().describe(`At most ${MAX_LIST_LIMIT}; default ${DEFAULT_LIST_LIMIT}`),
  offset: queryInt(0, 1_000_000_000).optional(),
});
export type ListJobsQuery = z.infer<typeof ListJobsQuerySchema>;

// Responses: documentation only (the controller returns the entities themselves).

const timestamp = z.iso.datetime().nullable();

export const JobResponseSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    status: z.enum(JOB_STATUSES as [JobStatus, ...JobStatus[]]),
    priority: z.enum(JOB_PRIORITIES as [JobPriority, ...JobPriority[]]),
    queueName: z.string(),
    queueJobId: z.string().nullable(),
    payload: z.unknown(),
    result: z.unknown(),
    progress: z.number(),
    progressMessage: z.string().nullable(),
    errorMessage: z.string().nullable(),
    errorType: z.enum(['Transient', 'Permanent']).nullable(),
    retryCount: z.number(),
    maxRetries: z.number(),
    nextRetryAt: timestamp,
    timeoutSeconds: z.number(),
    tenantId: z.string().nullable(),
    ownerId: z.string().nullable(),
    dependsOnId: z.string().nullable(),
    jobHash: z.string().nullable(),
    createdAt: z.iso.datetime(),
    startedAt: timestamp,
    completedAt: timestamp,
    canceledAt: timestamp,
    canceledBy: z.string().nullable(),
    cancelReason: z.string().nullable(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Job' });

export const JobPageResponseSchema = z
  .object({ items: z.array(JobResponseSchema), total: z.number(), limit: z.number(), offset: z.number() })
  .meta({ id: 'JobPage' });

export const CancelResponseSchema = z
  .object({ job: JobResponseSchema, outcome: z.enum(['dequeued', 'signaled', 'noop']) })
  .meta({ id: 'CancelResult' });

export const HistoryResponseSchema = z.array(
  z
    .object({
      id: z.string(),
      jobId: z.string(),
      tenantId: z.string().nullable(),
      fromStatus: z.string().nullable(),
      toStatus: z.string(),
      actor: z.string(),
      message: z.string().nullable(),
      retryAttempt: z.number(),
      timestamp: z.iso.datetime(),
    })
    .meta({ id: 'JobExecutionLog' }),
);

export const JobTypesResponseSchema = z.array(
  z
    .object({
      type: z.string(),
      enabled: z.boolean(),
      queueName: z.string(),
      timeoutSeconds: z.number(),
      maxRetries: z.number(),
      priority: z.string(),
      dedupWindowSeconds: z.number(),
      rateLimit: z.object({ max: z.number(), windowSeconds: z.number() }).optional(),
      requiresRole: z.string().optional(),
      backoff: z.unknown().optional(),
    })
    .meta({ id: 'JobType' }),
);

export const ErrorResponseSchema = z
  .object({ statusCode: z.number(), error: z.string(), message: z.string() })
  .meta({ id: 'Error' });
