import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import {
  BackgroundJobsService,
  DatabaseUnavailableError,
  InvalidJobInputError,
  JobHandlerRegistry,
  JobNotFoundError,
  JobNotRetryableError,
  QueueUnavailableError,
  UnknownJobTypeError,
  type BackgroundJob,
  type JobPriority,
  type Principal,
} from '../../index.js';
import { demoResolvePrincipal } from '../demo-principal.js';

/** Interim (see README.md): the contract's job routes, until issue 3's controller is merged. */
@Controller('jobs')
export class InterimJobsController {
  constructor(
    private readonly jobs: BackgroundJobsService,
    private readonly registry: JobHandlerRegistry,
  ) {}

  @Post()
  async submit(
    @Req() req: { headers: Record<string, string | string[] | undefined> },
    @Body() body: { type?: unknown; payload?: unknown; priority?: JobPriority; delayMs?: number },
  ): Promise<BackgroundJob> {
    const who = principal(req);
    if (!body || typeof body.type !== 'string') throw new BadRequestException('type is required');
    return run(() =>
      this.jobs.enqueue(body.type as string, body.payload, {
        ownerId: who.id,
        tenantId: who.tenantId,
        priority: body.priority,
        delayMs: body.delayMs,
      }),
    );
  }

  @Get()
  async list(
    @Req() req: { headers: Record<string, string | string[] | undefined> },
    @Query() query: { status?: string; type?: string; limit?: string; offset?: string },
  ) {
    const who = principal(req);
    const scope = isAdmin(who) ? {} : who.tenantId ? { tenantId: who.tenantId } : { ownerId: who.id };
    return run(() =>
      this.jobs.list({
        ...scope,
        status: query.status || undefined,
        type: query.type || undefined,
        limit: query.limit ? Number(query.limit) : undefined,
        offset: query.offset ? Number(query.offset) : undefined,
      }),
    );
  }

  @Get('types')
  types(@Req() req: { headers: Record<string, string | string[] | undefined> }) {
    principal(req);
    return this.registry.all().map((h) => ({
      type: h.type,
      timeoutSeconds: h.timeoutSeconds,
      maxRetries: h.maxRetries,
      priority: h.priority,
      enabled: true,
    }));
  }

  @Get(':id')
  async get(@Req() req: { headers: Record<string, string | string[] | undefined> }, @Param('id') id: string) {
    return this.readable(principal(req), id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(
    @Req() req: { headers: Record<string, string | string[] | undefined> },
    @Param('id') id: string,
    @Body() body: { reason?: string } | undefined,
  ) {
    const who = principal(req);
    await this.readable(who, id);
    return run(() => this.jobs.cancel(id, { by: who.id, reason: body?.reason }));
  }

  @Post(':id/retry')
  @HttpCode(200)
  async retry(@Req() req: { headers: Record<string, string | string[] | undefined> }, @Param('id') id: string) {
    const who = principal(req);
    await this.readable(who, id);
    return run(() => this.jobs.retry(id, { by: who.id }));
  }

  private async readable(who: Principal, id: string): Promise<BackgroundJob> {
    const job = await run(() => this.jobs.get(id));
    if (!canRead(who, job)) throw new ForbiddenException('not your job');
    return job;
  }
}

function isAdmin(who: Principal): boolean {
  return who.roles?.includes('admin') ?? false;
}

/** Admin: everything; with a tenant: the tenant's jobs; otherwise one's own. */
export function canRead(who: Principal, job: Pick<BackgroundJob, 'ownerId' | 'tenantId'>): boolean {
  if (isAdmin(who)) return true;
  if (who.tenantId) return job.tenantId === who.tenantId;
  return job.ownerId === who.id;
}

function principal(req: { headers: Record<string, string | string[] | undefined> }): Principal {
  const who = demoResolvePrincipal(req);
  if (!who) throw new UnauthorizedException('send Authorization: Bearer <token>');
  return who;
}

/** Maps the service's domain errors to HTTP statuses. */
async function run<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof InvalidJobInputError || error instanceof UnknownJobTypeError) throw new BadRequestException(error.message);
    if (error instanceof JobNotFoundError) throw new NotFoundException(error.message);
    if (error instanceof JobNotRetryableError) throw new ConflictException(error.message);
    if (error instanceof QueueUnavailableError || error instanceof DatabaseUnavailableError) {
      throw new ServiceUnavailableException(error.message);
    }
    throw error;
  }
}
