import { Injectable } from '@nestjs/common';
import type { BackgroundJob } from '../entities/background-job.entity.js';
import type { JobScope } from '../interfaces/enqueue-options.interface.js';
import type { Principal } from '../interfaces/module-options.interface.js';

/** The fields of a job that access decisions read. */
export type JobAccessSubject = Pick<BackgroundJob, 'id' | 'ownerId' | 'tenantId'>;

/** Role that sees and acts on every job. */
export const ADMIN_ROLE = 'admin';

/**
 * Who may do what with which job: the one place the REST controller and the
 * Socket.IO gateway ask. The default rules: a principal reads, cancels and retries
 * its own jobs (`ownerId`); with a `tenantId` it also reads its tenant's jobs; role
 * `admin` does everything. Anonymous callers never reach the policy (they get 401).
 *
 * To change the rules, extend this class, override what differs and pass it as
 * `accessPolicy` to `BackgroundJobsModule.forRoot` / `forRootAsync`.
 */
@Injectable()
export class JobAccessPolicy {
  isAdmin(principal: Principal): boolean {
    return principal.roles?.includes(ADMIN_ROLE) ?? false;
  }

  /** `requiredRole` is the handler's `requiresRole` option. */
  canSubmit(principal: Principal, _type: string, requiredRole?: string): boolean {
    return !requiredRole || this.isAdmin(principal) || (principal.roles?.includes(requiredRole) ?? false);
  }

  canRead(principal: Principal, job: JobAccessSubject): boolean {
    return this.isAdmin(principal) || this.owns(principal, job) || (!!principal.tenantId && job.tenantId === principal.tenantId);
  }

  canCancel(principal: Principal, job: JobAccessSubject): boolean {
    return this.isAdmin(principal) || this.owns(principal, job);
  }

  canRetry(principal: Principal, job: JobAccessSubject): boolean {
    return this.isAdmin(principal) || this.owns(principal, job);
  }

  /** Acts on many jobs at once or removes history: deleting jobs, retrying the dead letters in bulk. */
  canManage(principal: Principal): boolean {
    return this.isAdmin(principal);
  }

  /**
   * The jobs a list may show: `null` for all of them, otherwise those matching at
   * least one scope. Must agree with `canRead`.
   */
  listScopes(principal: Principal): JobScope[] | null {
    if (this.isAdmin(principal)) return null;
    return principal.tenantId ? [{ ownerId: principal.id }, { tenantId: principal.tenantId }] : [{ ownerId: principal.id }];
  }

  /**
   * The Socket.IO rooms a connection joins at its handshake. Every event of a job is
   * sent to `user:<ownerId>` and `tenant:<tenantId>`, so these rooms must only
   * deliver jobs that `canRead` allows.
   */
  rooms(principal: Principal): string[] {
    return principal.tenantId ? [`user:${principal.id}`, `tenant:${principal.tenantId}`] : [`user:${principal.id}`];
  }

  protected owns(principal: Principal, job: JobAccessSubject): boolean {
    return job.ownerId !== null && job.ownerId === principal.id;
  }
}
