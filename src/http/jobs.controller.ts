import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Query,
  StandardSchemaValidationPipe,
  UseFilters,
  UseGuards,
  UsePipes,
  type Type,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { JobAccessPolicy } from '../access/job-access.policy.js';
import { BackgroundJobsService, type CancelResult, type JobPage } from '../background-jobs.service.js';
import type { BackgroundJob } from '../entities/background-job.entity.js';
import type { JobExecutionLog } from '../entities/job-execution-log.entity.js';
import { AccessDeniedError, PayloadTooLargeError } from '../errors/access-errors.js';
import { InvalidJobInputError } from '../errors/service-errors.js';
import { JobHandlerRegistry } from '../handlers/job-handler.registry.js';
import type { Principal } from '../interfaces/module-options.interface.js';
import { CurrentPrincipal, JobsPrincipalGuard } from './principal.guard.js';
import { JobsExceptionFilter } from './jobs-exception.filter.js';
import {
  CancelJobSchema,
  CancelResponseSchema,
  ErrorResponseSchema,
  HistoryResponseSchema,
  JobIdParamSchema,
  JobPageResponseSchema,
  JobResponseSchema,
  JobTypesResponseSchema,
  ListJobsQuerySchema,
  MAX_PAYLOAD_BYTES,
  RetryDeadLettersResponseSchema,
  RetryDeadLettersSchema,
  type RetryDeadLettersBody,
  SubmitJobSchema,
  type CancelJobBody,
  type ListJobsQuery,
  type SubmitJobBody,
} from './jobs.schemas.js';

/** A registered job type as `GET /jobs/types` shows it. */
export interface JobTypeInfo {
  type: string;
  enabled: boolean;
  queueName: string;
  timeoutSeconds: number;
  maxRetries: number;
  priority: string;
  dedupWindowSeconds: number;
  rateLimit?: { max: number; windowSeconds: number };
  requiresRole?: string;
  /** The backoff parameters; absent when the handler computes its delays with a function. */
  backoff?: object;
}

/** Turns validation issues into one 400 message that names each field. */
const validationPipe = new StandardSchemaValidationPipe({
  exceptionFactory: (issues) =>
    new InvalidJobInputError(
      issues
        .map((issue) => {
          const path = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
          return path ? `${path}: ${issue.message}` : issue.message;
        })
        .join('; '),
    ),
});

const errors = {
  400: ApiBadRequestResponse({ description: 'Invalid input; the message says what is wrong', standardSchema: ErrorResponseSchema }),
  401: ApiUnauthorizedResponse({ description: 'No principal', standardSchema: ErrorResponseSchema }),
  403: ApiForbiddenResponse({ description: 'The principal may not do this', standardSchema: ErrorResponseSchema }),
  404: ApiNotFoundResponse({ description: 'No such job', standardSchema: ErrorResponseSchema }),
};

/** The errors of every route that names one job. */
const oneJobErrors = applyDecorators(errors[400], errors[401], errors[403], errors[404]);

/**
 * The REST API of the module (mounted under `http.path` by `createJobsController`).
 * `JobsPrincipalGuard` resolves the caller first (401 when anonymous); each route
 * then asks `JobAccessPolicy` (403) and calls `BackgroundJobsService`; errors become JSON through
 * `JobsExceptionFilter`.
 */
@ApiTags('jobs')
@ApiBearerAuth()
@UseFilters(JobsExceptionFilter)
@UseGuards(JobsPrincipalGuard)
@UsePipes(validationPipe)
export class JobsController {
  constructor(
    @Inject(BackgroundJobsService) private readonly jobs: BackgroundJobsService,
    @Inject(JobHandlerRegistry) private readonly registry: JobHandlerRegistry,
    @Inject(JobAccessPolicy) private readonly policy: JobAccessPolicy,
  ) {}

  // Declared before `:id` so that Express matches it first.
  @Get('types')
  @ApiOperation({ summary: 'The registered job types, with their options' })
  @ApiOkResponse({ standardSchema: JobTypesResponseSchema })
  @(errors[401])
  types(): JobTypeInfo[] {
    return this.registry.all().map((h) => ({
      type: h.type,
      enabled: true,
      queueName: h.queueName,
      timeoutSeconds: h.timeoutSeconds,
      maxRetries: h.maxRetries,
      priority: h.priority,
      dedupWindowSeconds: h.options.dedupWindowSeconds ?? 0,
      ...(h.options.rateLimit ? { rateLimit: h.options.rateLimit } : {}),
      ...(h.options.requiresRole ? { requiresRole: h.options.requiresRole } : {}),
      ...(h.backoff && typeof h.backoff === 'object' ? { backoff: h.backoff } : {}),
    }));
  }

  // Declared before `:id/retry`, which would otherwise take "dead-letter" for an id.
  @Post('dead-letter/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Retry DeadLetter jobs in bulk: those among `ids` and/or of `type`, or all (admin)' })
  @ApiOkResponse({ standardSchema: RetryDeadLettersResponseSchema })
  @(errors[400])
  @(errors[401])
  @(errors[403])
  async retryDeadLetters(
    @CurrentPrincipal() principal: Principal,
    @Body({ schema: RetryDeadLettersSchema }) body: RetryDeadLettersBody,
  ): Promise<{ retried: number }> {
    if (!this.policy.canManage(principal)) throw new AccessDeniedError('retrying dead letters in bulk needs role admin');
    return { retried: await this.jobs.retryDeadLetters(body ?? {}, { by: principal.id }) };
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Submit a job, owned by the caller (and its tenant)' })
  @ApiCreatedResponse({ standardSchema: JobResponseSchema })
  @(errors[400])
  @(errors[401])
  @(errors[403])
  @ApiPayloadTooLargeResponse({ description: `payload over ${MAX_PAYLOAD_BYTES} bytes`, standardSchema: ErrorResponseSchema })
  @ApiServiceUnavailableResponse({ description: 'Queue or database unreachable; nothing was kept', standardSchema: ErrorResponseSchema })
  async submit(@CurrentPrincipal() principal: Principal, @Body({ schema: SubmitJobSchema }) body: SubmitJobBody): Promise<BackgroundJob> {
    const size = body.payload === undefined ? 0 : Buffer.byteLength(JSON.stringify(body.payload));
    if (size > MAX_PAYLOAD_BYTES) throw new PayloadTooLargeError(size, MAX_PAYLOAD_BYTES);
    const handler = this.registry.get(body.type);
    if (!this.policy.canSubmit(principal, body.type, handler.options.requiresRole)) {
      throw new AccessDeniedError(`submitting "${body.type}" jobs needs role ${handler.options.requiresRole ?? '(one you do not have)'}`);
    }
    return this.jobs.enqueue(body.type, body.payload, {
      ownerId: principal.id,
      tenantId: principal.tenantId,
      priority: body.priority,
      delayMs: body.delayMs,
      dependsOn: body.dependsOn,
    });
  }

  @Get()
  @ApiOperation({ summary: 'Jobs the caller may read, newest first' })
  @ApiOkResponse({ standardSchema: JobPageResponseSchema })
  @(errors[400])
  @(errors[401])
  async list(@CurrentPrincipal() principal: Principal, @Query({ schema: ListJobsQuerySchema }) query: ListJobsQuery): Promise<JobPage> {
    const scopes = this.policy.listScopes(principal);
    return this.jobs.list({ ...query, ...(scopes ? { anyOf: scopes } : {}) });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One job' })
  @ApiOkResponse({ standardSchema: JobResponseSchema })
  @oneJobErrors
  async get(@CurrentPrincipal() principal: Principal, @Param('id', { schema: JobIdParamSchema }) id: string): Promise<BackgroundJob> {
    return this.readable(principal, id);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel a job: dequeued if it had not started, signaled if running, noop if finished' })
  @ApiOkResponse({ standardSchema: CancelResponseSchema })
  @oneJobErrors
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', { schema: JobIdParamSchema }) id: string,
    @Body({ schema: CancelJobSchema }) body: CancelJobBody,
  ): Promise<CancelResult> {
    const job = await this.readable(principal, id);
    if (!this.policy.canCancel(principal, job)) throw new AccessDeniedError(`not allowed to cancel job ${id}`);
    return this.jobs.cancel(id, { by: principal.id, reason: body?.reason });
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Run a DeadLetter job again' })
  @ApiOkResponse({ standardSchema: JobResponseSchema })
  @oneJobErrors
  @ApiConflictResponse({ description: 'The job is not in DeadLetter', standardSchema: ErrorResponseSchema })
  async retry(@CurrentPrincipal() principal: Principal, @Param('id', { schema: JobIdParamSchema }) id: string): Promise<BackgroundJob> {
    const job = await this.readable(principal, id);
    if (!this.policy.canRetry(principal, job)) throw new AccessDeniedError(`not allowed to retry job ${id}`);
    return this.jobs.retry(id, { by: principal.id });
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'The status changes of a job, oldest first' })
  @ApiOkResponse({ standardSchema: HistoryResponseSchema })
  @oneJobErrors
  async history(@CurrentPrincipal() principal: Principal, @Param('id', { schema: JobIdParamSchema }) id: string): Promise<JobExecutionLog[]> {
    await this.readable(principal, id);
    return this.jobs.history(id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a finished job and its history (admin)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @oneJobErrors
  @ApiConflictResponse({ description: 'The job is not finished', standardSchema: ErrorResponseSchema })
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', { schema: JobIdParamSchema }) id: string): Promise<void> {
    if (!this.policy.canManage(principal)) {
      await this.readable(principal, id); // 404 for a job that does not exist, 403 for one the caller may not read
      throw new AccessDeniedError(`deleting job ${id} needs role admin`);
    }
    await this.jobs.delete(id);
  }

  /** The job, if the principal may read it (403 otherwise, 404 when there is none). */
  private async readable(principal: Principal, id: string): Promise<BackgroundJob> {
    const job = await this.jobs.get(id);
    if (!this.policy.canRead(principal, job)) throw new AccessDeniedError(`not allowed to read job ${id}`);
    return job;
  }
}

/** The controller class for one route prefix: the prefix is part of the class's decorator, so each module definition gets its own. */
export function createJobsController(path: string): Type<JobsController> {
  @Controller(path)
  class MountedJobsController extends JobsController {}
  // Swagger names operations after the class (`JobsController_submit`).
  Object.defineProperty(MountedJobsController, 'name', { value: JobsController.name });
  return MountedJobsController;
}
