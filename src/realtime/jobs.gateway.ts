import { Inject, Logger, type Type } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { JobAccessPolicy } from '../access/job-access.policy.js';
import { PrincipalResolver } from '../access/principal.resolver.js';
import { BackgroundJobsService } from '../background-jobs.service.js';
import { JobNotFoundError } from '../errors/service-errors.js';
import type { Principal } from '../interfaces/module-options.interface.js';
import { isJobId } from '../job-input.validation.js';
import { JobEventFanout } from './job-event.fanout.js';
import { jobRoom } from './realtime-events.js';

/** The ack of `subscribe` / `unsubscribe`. */
export type SubscriptionAck = { ok: true } | { ok: false; error: string };

/** What the gateway keeps on each socket (`socket.data`). */
interface SocketData {
  principal: Principal;
}

/**
 * The Socket.IO side of the module. A connection is authenticated at its handshake
 * (`auth.token`, offered to `resolvePrincipal` as `authorization: Bearer <token>`)
 * and refused without a principal; it joins the rooms the access policy gives it
 * (`user:<id>`, `tenant:<tenantId>`), and `subscribe { jobId }` adds `job:<id>` for a
 * job it may read. Events are sent by `JobEventFanout`, not here.
 *
 * Mounted per module definition by `createJobsGateway(namespace)`.
 */
export class JobsGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket> {
  private readonly logger = new Logger('BackgroundJobs');

  constructor(
    @Inject(PrincipalResolver) private readonly principals: PrincipalResolver,
    @Inject(JobAccessPolicy) private readonly policy: JobAccessPolicy,
    @Inject(BackgroundJobsService) private readonly jobs: BackgroundJobsService,
    @Inject(JobEventFanout) private readonly fanout: JobEventFanout,
  ) {}

  afterInit(nsp: Namespace): Promise<void> {
    nsp.use((socket, next) => {
      this.authenticate(socket).then(
        (principal) => {
          if (!principal) return next(new Error('unauthorized: connect with auth: { token } that the application accepts'));
          (socket.data as SocketData).principal = principal;
          next();
        },
        () => next(new Error('unauthorized')),
      );
    });
    return this.fanout.attach(nsp).catch((error: unknown) => {
      this.logger.error(`Socket.IO adapter for ${nsp.name} not installed; events of other processes will not reach this one: ${String(error)}`);
    });
  }

  async handleConnection(socket: Socket): Promise<void> {
    const { principal } = socket.data as Partial<SocketData>;
    if (!principal) {
      socket.disconnect(true);
      return;
    }
    await socket.join(this.policy.rooms(principal));
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<SubscriptionAck> {
    const jobId = readJobId(body);
    if (!jobId) return { ok: false, error: 'subscribe needs { jobId } with a job id (a UUID)' };
    const { principal } = socket.data as SocketData;
    try {
      const job = await this.jobs.get(jobId);
      if (!this.policy.canRead(principal, job)) return { ok: false, error: `not allowed to read job ${jobId}` };
    } catch (error) {
      if (error instanceof JobNotFoundError) return { ok: false, error: `job ${jobId} not found` };
      this.logger.warn(`subscribe to ${jobId} failed: ${String(error)}`);
      return { ok: false, error: 'the job could not be read; try again later' };
    }
    await socket.join(jobRoom(jobId));
    return { ok: true };
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<SubscriptionAck> {
    const jobId = readJobId(body);
    if (!jobId) return { ok: false, error: 'unsubscribe needs { jobId } with a job id (a UUID)' };
    await socket.leave(jobRoom(jobId));
    return { ok: true };
  }

  private authenticate(socket: Socket): Promise<Principal | undefined> {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || !token) return Promise.resolve(undefined);
    return this.principals.resolve({ headers: { authorization: `Bearer ${token}` } });
  }
}

function readJobId(body: unknown): string | undefined {
  const jobId: unknown = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).jobId : undefined;
  return isJobId(jobId) ? jobId : undefined;
}

/** The gateway class for one namespace: the namespace is part of the class's decorator, so each module definition gets its own. */
export function createJobsGateway(namespace: string): Type<JobsGateway> {
  @WebSocketGateway({ namespace })
  class MountedJobsGateway extends JobsGateway {}
  Object.defineProperty(MountedJobsGateway, 'name', { value: JobsGateway.name });
  return MountedJobsGateway;
}
