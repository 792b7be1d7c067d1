export * from './job-access.policy.js';
export * from './principal.resolver.js';
