import type { Principal, PrincipalRequest } from '../../src/index.js';

/**
 * The tests' `resolvePrincipal`: `Authorization: Bearer <userId>`, `<userId>:<tenantId>`
 * or `<userId>:<tenantId>:admin` (an empty tenant, `<userId>::admin`, is an admin
 * without a tenant). Anything else is anonymous.
 */
export function testPrincipal(req: PrincipalRequest): Principal | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([^\s:]+)(?::([^\s:]*))?(?::(admin))?$/.exec(header);
  if (!match) return undefined;
  const [, id, tenantId, role] = match;
  return { id, ...(tenantId ? { tenantId } : {}), ...(role ? { roles: [role] } : {}) };
}

/** `Authorization` header for a test token. */
export const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
