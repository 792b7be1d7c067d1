import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { BACKGROUND_JOBS_OPTIONS } from '../background-jobs.module-definition.js';
import { DEFAULT_MAX_RETRIES, DEFAULT_QUEUE_NAME, DEFAULT_TIMEOUT_SECONDS, JOB_HANDLER_METADATA } from '../background-jobs.constants.js';
import { DuplicateJobHandlerError, InvalidJobHandlerError } from '../errors/configuration-errors.js';
import { UnknownJobTypeError } from '../errors/service-errors.js';
import type { JobContext } from '../job-context.js';
import type { BackoffOptions, JobHandlerOptions } from '../interfaces/job-handler-options.interface.js';
import type { BackgroundJobsModuleOptions } from '../interfaces/module-options.interface.js';
import type { JobPriority } from '../job-status.js';
import type { JobHandlerMetadata } from './job-handler.decorator.js';

/** A discovered handler with its options filled in. */
export interface RegisteredJobHandler {
  type: string;
  /** `ClassName.method`, for messages. */
  name: string;
  queueName: string;
  timeoutSeconds: number;
  maxRetries: number;
  priority: JobPriority;
  backoff: BackoffOptions | undefined;
  options: JobHandlerOptions;
  run: (ctx: JobContext<unknown>) => Promise<unknown>;
}

/**
 * Finds every `@JobHandler` method of the application's providers at start-up and
 * refuses a configuration that cannot work (two handlers for one type, a handler
 * that is not a method) before the first job arrives.
 */
@Injectable()
export class JobHandlerRegistry implements OnModuleInit {
  private readonly logger = new Logger('BackgroundJobs');
  private readonly handlers = new Map<string, RegisteredJobHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(BACKGROUND_JOBS_OPTIONS) private readonly options: BackgroundJobsModuleOptions,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const entries: JobHandlerMetadata[] | undefined = Reflect.getMetadata(JOB_HANDLER_METADATA, instance.constructor);
      for (const entry of entries ?? []) this.register(instance as Record<string | symbol, unknown>, entry);
    }
    this.logger.log(`Job handlers: ${[...this.handlers.keys()].join(', ') || '(none)'}`);
  }

  /** The handler of `type`; throws `UnknownJobTypeError` when there is none. */
  get(type: string): RegisteredJobHandler {
    const handler = this.handlers.get(type);
    if (!handler) throw new UnknownJobTypeError(type);
    return handler;
  }

  has(type: string): boolean {
    return this.handlers.has(type);
  }

  all(): RegisteredJobHandler[] {
    return [...this.handlers.values()];
  }

  /** Every queue a handler uses. */
  queueNames(): string[] {
    return [...new Set([this.defaultQueueName, ...this.all().map((h) => h.queueName)])];
  }

  get defaultQueueName(): string {
    return this.options.queueName ?? DEFAULT_QUEUE_NAME;
  }

  private register(instance: Record<string | symbol, unknown>, entry: JobHandlerMetadata): void {
    const name = `${instance.constructor.name}.${String(entry.key)}`;
    const method = instance[entry.key];
    if (typeof method !== 'function') throw new InvalidJobHandlerError(entry.type, name);
    const previous = this.handlers.get(entry.type);
    if (previous) throw new DuplicateJobHandlerError(entry.type, previous.name, name);
    const { options } = entry;
    this.handlers.set(entry.type, {
      type: entry.type,
      name,
      queueName: options.queue ?? this.defaultQueueName,
      timeoutSeconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      priority: options.priority ?? 'Normal',
      backoff: options.backoff,
      options,
      run: (ctx) => Promise.resolve(method.call(instance, ctx)),
    });
  }
}
