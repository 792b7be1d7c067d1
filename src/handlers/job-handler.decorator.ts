import { JOB_HANDLER_METADATA } from '../background-jobs.constants.js';
import type { JobHandlerOptions } from '../interfaces/job-handler-options.interface.js';

/** What `@JobHandler` records on a class, one entry per decorated member. */
export interface JobHandlerMetadata {
  type: string;
  options: JobHandlerOptions;
  key: string | symbol;
}

/**
 * Marks a provider method as the handler of a job type. The method receives a
 * `JobContext` and its return value is stored as the job's `result`.
 * Handlers are discovered when the application starts.
 */
export function JobHandler(type: string, options: JobHandlerOptions = {}): PropertyDecorator & MethodDecorator {
  return (target: object, key: string | symbol): void => {
    const ctor = target.constructor;
    const existing: JobHandlerMetadata[] = Reflect.getOwnMetadata(JOB_HANDLER_METADATA, ctor) ?? [];
    Reflect.defineMetadata(JOB_HANDLER_METADATA, [...existing, { type, options, key }], ctor);
  };
}
