import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type { Subscription } from 'rxjs';
import { BACKGROUND_JOBS_OPTIONS } from '../background-jobs.module-definition.js';
import { BACKGROUND_JOBS_MOUNTS, type BackgroundJobsMounts } from '../background-jobs.mounts.js';
import { JobEventBus } from '../events/job-event.bus.js';
import type { BackgroundJobsModuleOptions } from '../interfaces/module-options.interface.js';
import { createRealtimeTransport, type RealtimeTransport, type RoomEmitter } from './realtime-transport.js';
import { toRealtimeMessage } from './realtime-events.js';

/**
 * Sends every job event of this process to Socket.IO, once: through the gateway's
 * namespace when this process serves one (its adapter forwards to the other API
 * processes), otherwise through Socket.IO's emitter (a worker). Events raised
 * elsewhere arrive through the adapter, never through here, so nothing is sent twice.
 */
@Injectable()
export class JobEventFanout implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('BackgroundJobs');
  private readonly transport: RealtimeTransport;
  private subscription: Subscription | null = null;
  private namespace: Namespace | null = null;
  private emitter: Promise<RoomEmitter | null> | null = null;
  private closed = false;

  constructor(
    private readonly events: JobEventBus,
    @Inject(BACKGROUND_JOBS_OPTIONS) options: BackgroundJobsModuleOptions,
    @Inject(BACKGROUND_JOBS_MOUNTS) private readonly mounts: BackgroundJobsMounts,
  ) {
    this.transport = createRealtimeTransport(options.queue, (error) =>
      this.logger.warn(`Socket.IO transport: ${error.message}; job events may not reach clients on other processes until it recovers`),
    );
  }

  onModuleInit(): void {
    this.subscription = this.events.events$.subscribe((event) => this.send(toRealtimeMessage(event)));
  }

  /** Called by the gateway once its namespace exists: from now on this process emits through it. */
  async attach(nsp: Namespace): Promise<void> {
    this.namespace = nsp;
    await this.transport.installAdapter(nsp);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.subscription?.unsubscribe();
    await this.transport.close();
  }

  private send(message: ReturnType<typeof toRealtimeMessage>): void {
    if (this.closed) return;
    if (this.namespace) {
      this.namespace.to(message.rooms).emit(message.event, message.payload);
      return;
    }
    void this.fallbackEmitter().then((emitter) => emitter?.emit(message.rooms, message.event, message.payload));
  }

  /** The emitter of a process that serves no gateway, made on its first event. */
  private fallbackEmitter(): Promise<RoomEmitter | null> {
    this.emitter ??= this.mounts.realtime.publish
      ? this.transport.createEmitter(this.mounts.realtime.namespace).catch((error: unknown) => {
          this.logger.error(`Job events of this process cannot reach Socket.IO: ${String(error)}`);
          this.emitter = null; // try again on the next event
          return null;
        })
      : Promise.resolve(null);
    return this.emitter;
  }
}
