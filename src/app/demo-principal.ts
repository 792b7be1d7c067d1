import type { Principal, PrincipalRequest } from '../index.js';

/**
 * DEMO ONLY: trusts whatever the caller says. Reads `Authorization: Bearer <token>`
 * where the token is `<userId>`, `<userId>:<tenantId>` or `<userId>:<tenantId>:admin`.
 * There is no secret and no signature: anyone can claim to be anyone, including
 * an admin. A real application verifies a session or a signed token instead.
 */
export function demoResolvePrincipal(req: PrincipalRequest): Principal | undefined {
  const header = req.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)$/i.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const [id, tenantId, role] = match[1].split(':');
  if (!id) return undefined;
  return {
    id,
    ...(tenantId ? { tenantId } : {}),
    ...(role === 'admin' ? { roles: ['admin'] } : {}),
  };
}
