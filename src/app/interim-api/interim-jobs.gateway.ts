import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Subscription } from 'rxjs';
import { BackgroundJobsService, JobEventBus, type BackgroundJob, type JobEvent, type Principal } from '../../index.js';
import { demoResolvePrincipal } from '../demo-principal.js';
import { canRead } from './interim-jobs.controller.js';

/**
 * Interim (see README.md): the contract's Socket.IO namespace `/jobs`, fed by this
 * process's `JobEventBus`, until issue 3's gateway is merged.
 */
@Injectable()
export class InterimJobsGateway implements OnModuleInit, OnApplicationShutdown {
  private io: Server | null = null;
  private subscription: Subscription | null = null;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly events: JobEventBus,
    private readonly jobs: BackgroundJobsService,
  ) {}

  onModuleInit(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as HttpServer;
    this.io = new Server(server);
    const nsp = this.io.of('/jobs');
    nsp.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown }).token;
      const who = demoResolvePrincipal({ headers: { authorization: typeof token === 'string' ? `Bearer ${token}` : undefined } });
      if (!who) return next(new Error('unauthorized'));
      (socket.data as { principal: Principal }).principal = who;
      next();
    });
    nsp.on('connection', (socket: Socket) => {
      const who = (socket.data as { principal: Principal }).principal;
      void socket.join(`user:${who.id}`);
      if (who.tenantId) void socket.join(`tenant:${who.tenantId}`);
      socket.on('subscribe', async (msg: { jobId?: unknown }, ack?: (r: { ok: boolean; error?: string }) => void) => {
        try {
          const job = await this.jobs.get(String(msg?.jobId));
          if (!canRead(who, job)) throw new Error('forbidden');
          await socket.join(`job:${job.id}`);
          ack?.({ ok: true });
        } catch (error) {
          ack?.({ ok: false, error: error instanceof Error ? error.message : String(error) });
        }
      });
    });
    this.subscription = this.events.events$.subscribe((event) => this.fanOut(event));
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    // Close the namespace's sockets only: the HTTP server belongs to Nest.
    this.io?.of('/jobs').disconnectSockets(true);
    this.io = null;
  }

  private fanOut(event: JobEvent): void {
    const nsp = this.io?.of('/jobs');
    if (!nsp) return;
    const rooms = (job: { id: string; ownerId: string | null; tenantId: string | null }): string[] =>
      [`job:${job.id}`, job.ownerId ? `user:${job.ownerId}` : '', job.tenantId ? `tenant:${job.tenantId}` : ''].filter(Boolean);
    if (event.kind === 'status') {
      const job: BackgroundJob = event.job;
      nsp.to(rooms(job)).emit('job_status_changed', {
        jobId: job.id,
        fromStatus: event.fromStatus,
        toStatus: event.toStatus,
        updatedAt: job.updatedAt,
        ...(event.toStatus === 'Completed' ? { result: job.result } : {}),
        ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
      });
    } else if (event.kind === 'progress') {
      nsp.to(rooms({ id: event.jobId, ownerId: event.ownerId, tenantId: event.tenantId })).emit('job_progress', {
        jobId: event.jobId,
        status: 'Running',
        progress: event.progress,
        progressMessage: event.progressMessage,
        updatedAt: event.updatedAt,
      });
    } else {
      const job = event.job;
      nsp.to(rooms(job)).emit('job_canceled', {
        jobId: job.id,
        canceledBy: job.canceledBy,
        canceledAt: job.canceledAt,
        reason: job.cancelReason,
        outcome: event.outcome,
      });
    }
  }
}
