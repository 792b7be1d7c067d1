import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobAccessPolicy } from './access/job-access.policy.js';
import { PrincipalResolver } from './access/principal.resolver.js';
import {
  BACKGROUND_JOBS_ASYNC_OPTIONS_TYPE,
  BACKGROUND_JOBS_OPTIONS,
  BACKGROUND_JOBS_OPTIONS_TYPE,
  BackgroundJobsConfigurableModule,
} from './background-jobs.module-definition.js';
import { assertNoLateMounts, BACKGROUND_JOBS_MOUNTS, resolveMounts } from './background-jobs.mounts.js';
import { QUEUE_BACKEND } from './background-jobs.constants.js';
import { BackgroundJobsService } from './background-jobs.service.js';
import { BACKGROUND_JOBS_ENTITIES } from './entities/index.js';
import { InvalidModuleOptionsError } from './errors/configuration-errors.js';
import { JobEventBus } from './events/job-event.bus.js';
import { JobHandlerRegistry } from './handlers/job-handler.registry.js';
import { createJobsController } from './http/jobs.controller.js';
import type { BackgroundJobsModuleOptions, BackgroundJobsMountOptions } from './interfaces/module-options.interface.js';
import { JobQueues } from './queue/job-queues.js';
import { QueueBackend } from './queue/queue-backend.js';
import { createJobsGateway } from './realtime/jobs.gateway.js';
import { JobEventFanout } from './realtime/job-event.fanout.js';
import { JobTransitionStore } from './store/job-transition.store.js';
import { CancelBroadcaster } from './worker/cancel-broadcaster.js';
import { JobProcessor } from './worker/job.processor.js';
import { JobWorkerHost } from './worker/job-worker.host.js';

/**
 * Durable, observable, cancellable background jobs.
 *
 * ```ts
 * BackgroundJobsModule.forRoot({ queue: { backend: 'redis', url: 'redis://127.0.0.1:6379' } })
 * ```
 * The application owns `TypeOrmModule.forRoot` (PostgreSQL) and runs
 * `BACKGROUND_JOBS_MIGRATIONS`. Unless disabled, the module mounts the REST
 * controller (`http`) and the Socket.IO gateway (`realtime`); see
 * `BackgroundJobsMountOptions` for why these are given at the top level of
 * `forRootAsync`.
 */
@Module({
  imports: [DiscoveryModule, TypeOrmModule.forFeature(BACKGROUND_JOBS_ENTITIES)],
  providers: [
    {
      provide: QUEUE_BACKEND,
      inject: [BACKGROUND_JOBS_OPTIONS],
      useFactory: (options: BackgroundJobsModuleOptions) => {
        if (!options?.queue) throw new InvalidModuleOptionsError('the `queue` option is required');
        return new QueueBackend(options.queue);
      },
    },
    JobEventBus,
    JobHandlerRegistry,
    JobTransitionStore,
    JobQueues,
    CancelBroadcaster,
    JobProcessor,
    JobWorkerHost,
    BackgroundJobsService,
    PrincipalResolver,
    JobEventFanout,
  ],
  exports: [BackgroundJobsService, JobEventBus, JobHandlerRegistry, PrincipalResolver, JobAccessPolicy],
})
export class BackgroundJobsModule extends BackgroundJobsConfigurableModule {
  static override forRoot(options: typeof BACKGROUND_JOBS_OPTIONS_TYPE): DynamicModule {
    return withMounts(super.forRoot(options), options, false);
  }

  static override forRootAsync(options: typeof BACKGROUND_JOBS_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withMounts(super.forRootAsync(options), options, true);
  }
}

/** Adds what the `http`, `realtime` and `accessPolicy` extras choose: the controller, the gateway and the policy class. */
function withMounts(definition: DynamicModule, extras: BackgroundJobsMountOptions, async: boolean): DynamicModule {
  const mounts = resolveMounts(extras);
  const providers: Provider[] = [
    { provide: BACKGROUND_JOBS_MOUNTS, useValue: mounts },
    { provide: JobAccessPolicy, useClass: extras.accessPolicy ?? JobAccessPolicy },
  ];
  if (async) {
    providers.push({
      provide: Symbol('nest-background-jobs:late-mounts-check'),
      inject: [BACKGROUND_JOBS_OPTIONS],
      useFactory: (options: object) => assertNoLateMounts(options ?? {}),
    });
  }
  if (mounts.realtime.enabled) providers.push(createJobsGateway(mounts.realtime.namespace));
  return {
    ...definition,
    controllers: [...(definition.controllers ?? []), ...(mounts.http.enabled ? [createJobsController(mounts.http.path)] : [])],
    providers: [...(definition.providers ?? []), ...providers],
  };
}
