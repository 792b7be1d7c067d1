export * from './job-errors.js';
export * from './service-errors.js';
export * from './configuration-errors.js';
export * from './access-errors.js';
