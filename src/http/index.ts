export * from './jobs.controller.js';
export * from './jobs-exception.filter.js';
export * from './jobs.schemas.js';
export * from './setup-http.js';
export * from './principal.guard.js';
