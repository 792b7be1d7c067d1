import { InvalidModuleOptionsError } from './errors/configuration-errors.js';
import type { BackgroundJobsMountOptions } from './interfaces/module-options.interface.js';

/** The `http` and `realtime` extras with their defaults, as the module's providers see them. */
export interface BackgroundJobsMounts {
  http: { enabled: boolean; path: string };
  realtime: { enabled: boolean; namespace: string; publish: boolean };
}

/** Injection token of the resolved `BackgroundJobsMounts`. */
export const BACKGROUND_JOBS_MOUNTS = Symbol('nest-background-jobs:mounts');

const PATH = /^\/?[A-Za-z0-9_\-.~]+(\/[A-Za-z0-9_\-.~]+)*\/?$/;
const NAMESPACE = /^\/[A-Za-z0-9_\-.~/]*$/;

/** Fills in the defaults and refuses values that cannot be mounted. */
export function resolveMounts(extras: BackgroundJobsMountOptions): BackgroundJobsMounts {
  const path = extras.http?.path ?? 'jobs';
  const namespace = extras.realtime?.namespace ?? '/jobs';
  if (typeof path !== 'string' || !PATH.test(path)) {
    throw new InvalidModuleOptionsError(`http.path must be a route prefix such as 'jobs' or 'api/jobs', got ${JSON.stringify(path)}`);
  }
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new InvalidModuleOptionsError(`realtime.namespace must start with '/', such as '/jobs', got ${JSON.stringify(namespace)}`);
  }
  return {
    http: { enabled: extras.http?.enabled ?? true, path },
    realtime: { enabled: extras.realtime?.enabled ?? true, namespace, publish: extras.realtime?.publish ?? true },
  };
}

/**
 * `forRootAsync` cannot take these from its factory: the factory runs after the
 * module's controllers and gateway were chosen.
 */
export function assertNoLateMounts(options: object): void {
  const late = (['http', 'realtime', 'accessPolicy'] as const).filter((key) => key in options && (options as Record<string, unknown>)[key] !== undefined);
  if (late.length) {
    throw new InvalidModuleOptionsError(
      `${late.join(', ')} came from the forRootAsync factory; give ${late.length > 1 ? 'them' : 'it'} at the top level instead, ` +
        `as in forRootAsync({ ${late.map((k) => `${k}: …`).join(', ')}, useFactory }): the controller and gateway are chosen when the module is defined`,
    );
  }
}
