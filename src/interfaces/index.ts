export * from './module-options.interface.js';
export * from './job-handler-options.interface.js';
export * from './enqueue-options.interface.js';
export * from './job-event.interface.js';
