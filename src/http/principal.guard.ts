import { createParamDecorator, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { PrincipalResolver } from '../access/principal.resolver.js';
import type { Principal, PrincipalRequest } from '../interfaces/module-options.interface.js';

/** Where the guard leaves the principal on the request. */
const PRINCIPAL = Symbol('nest-background-jobs:principal');

type RequestWithPrincipal = PrincipalRequest & { [PRINCIPAL]?: Principal };

/**
 * Resolves the caller before anything else runs (guards run before pipes), so an
 * anonymous request gets 401 whatever its body, never a 400 that would tell it how
 * to shape a request it may not make.
 */
@Injectable()
export class JobsPrincipalGuard implements CanActivate {
  constructor(@Inject(PrincipalResolver) private readonly principals: PrincipalResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<RequestWithPrincipal>();
    req[PRINCIPAL] = await this.principals.require(req);
    return true;
  }
}

/** The principal `JobsPrincipalGuard` resolved for this request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<RequestWithPrincipal>()[PRINCIPAL];
  if (!principal) throw new Error('CurrentPrincipal used on a route without JobsPrincipalGuard');
  return principal;
});
