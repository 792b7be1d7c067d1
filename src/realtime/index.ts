export * from './jobs.gateway.js';
export * from './job-event.fanout.js';
export * from './realtime-events.js';
export * from './realtime-transport.js';
