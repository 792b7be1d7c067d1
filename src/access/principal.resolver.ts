import { Inject, Injectable, Logger } from '@nestjs/common';
import { BACKGROUND_JOBS_OPTIONS } from '../background-jobs.module-definition.js';
import { UnauthenticatedError } from '../errors/access-errors.js';
import type { BackgroundJobsModuleOptions, Principal, PrincipalRequest } from '../interfaces/module-options.interface.js';

/** Longest `id` / `tenantId` a principal may have: the width of the `owner_id` / `tenant_id` columns. */
const MAX_PRINCIPAL_FIELD = 200;

/**
 * Turns an HTTP request or a socket handshake into a `Principal` with the
 * application's `resolvePrincipal`. A resolver that throws or returns something that
 * is not a principal makes the caller anonymous (logged), never a 5xx.
 */
@Injectable()
export class PrincipalResolver {
  private readonly logger = new Logger('BackgroundJobs');

  constructor(@Inject(BACKGROUND_JOBS_OPTIONS) private readonly options: BackgroundJobsModuleOptions) {}

  /** The caller, or `undefined` when anonymous. */
  async resolve(req: PrincipalRequest): Promise<Principal | undefined> {
    const resolvePrincipal = this.options.resolvePrincipal;
    if (!resolvePrincipal) return undefined;
    let principal: unknown;
    try {
      principal = await resolvePrincipal({ headers: req.headers });
    } catch (error) {
      this.logger.warn(`resolvePrincipal threw; the caller is treated as anonymous: ${String(error)}`);
      return undefined;
    }
    if (principal === undefined || principal === null) return undefined;
    if (!isPrincipal(principal)) {
      this.logger.warn('resolvePrincipal returned something that is not a Principal ({ id: string, tenantId?: string, roles?: string[] }); the caller is treated as anonymous');
      return undefined;
    }
    const { id, tenantId, roles } = principal;
    return { id, ...(tenantId ? { tenantId } : {}), ...(roles ? { roles } : {}) };
  }

  /** The caller; `UnauthenticatedError` (401) when anonymous. */
  async require(req: PrincipalRequest): Promise<Principal> {
    const principal = await this.resolve(req);
    if (!principal) throw new UnauthenticatedError();
    return principal;
  }
}

function isPrincipal(value: unknown): value is Principal & { tenantId?: string | null } {
  if (typeof value !== 'object' || value === null) return false;
  const { id, tenantId, roles } = value as Record<string, unknown>;
  const field = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= MAX_PRINCIPAL_FIELD;
  return (
    field(id) &&
    (tenantId === undefined || tenantId === null || field(tenantId)) &&
    (roles === undefined || (Array.isArray(roles) && roles.every((r) => typeof r === 'string')))
  );
}
