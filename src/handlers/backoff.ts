import type { BackoffOptions } from '../interfaces/job-handler-options.interface.js';

const DEFAULTS = { baseMs: 60_000, factor: 2, jitter: 0.2, maxMs: 86_400_000 };

/**
 * Delay before retry number `retry` (1-based): `baseMs · factor^(retry-1)`, spread
 * by ± `jitter` so that jobs failing together do not retry together.
 */
export function backoffDelayMs(retry: number, backoff: BackoffOptions | undefined, random = Math.random): number {
  if (typeof backoff === 'function') return Math.max(0, backoff(retry));
  const { baseMs, factor, jitter, maxMs } = { ...DEFAULTS, ...backoff };
  const plain = Math.min(maxMs, baseMs * factor ** (retry - 1));
  const spread = plain * jitter * (2 * random() - 1);
  return Math.max(0, Math.round(plain + spread));
}
