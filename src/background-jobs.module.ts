import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BACKGROUND_JOBS_OPTIONS, BackgroundJobsConfigurableModule } from './background-jobs.module-definition.js';
import { QUEUE_BACKEND } from './background-jobs.constants.js';
import { BackgroundJobsService } from './background-jobs.service.js';
import { BACKGROUND_JOBS_ENTITIES } from './entities/index.js';
import { InvalidModuleOptionsError } from './errors/configuration-errors.js';
import { JobEventBus } from './events/job-event.bus.js';
import { JobHandlerRegistry } from './handlers/job-handler.registry.js';
import type { BackgroundJobsModuleOptions } from './interfaces/module-options.interface.js';
import { JobQueues } from './queue/job-queues.js';
import { QueueBackend } from './queue/queue-backend.js';
import { JobTransitionStore } from './store/job-transition.store.js';
import { CancelBroadcaster } from './worker/cancel-broadcaster.js';
import { JobProcessor } from './worker/job.processor.js';
import { JobReconciler } from './worker/job-reconciler.js';
import { JobWorkerHost } from './worker/job-worker.host.js';

/**
 * Durable, observable, cancellable background jobs.
 *
 * ```ts
 * BackgroundJobsModule.forRoot({ queue: { backend: 'redis', url: 'redis://127.0.0.1:6379' } })
 * ```
 * The application owns `TypeOrmModule.forRoot` (PostgreSQL) and runs
 * `BACKGROUND_JOBS_MIGRATIONS`.
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
    JobReconciler,
    JobWorkerHost,
    BackgroundJobsService,
  ],
  exports: [BackgroundJobsService, JobEventBus, JobHandlerRegistry],
})
export class BackgroundJobsModule extends BackgroundJobsConfigurableModule {}
