/** Two `@JobHandler` methods claim the same job type. */
export class DuplicateJobHandlerError extends Error {
  constructor(type: string, first: string, second: string) {
    super(`Job type "${type}" has two handlers, ${first} and ${second}: give each handler its own type`);
    this.name = 'DuplicateJobHandlerError';
  }
}

/** `@JobHandler` was put on something that is not a method. */
export class InvalidJobHandlerError extends Error {
  constructor(type: string, where: string) {
    super(`@JobHandler('${type}') is on ${where}, which is not a method: put it on a method of an @Injectable() provider`);
    this.name = 'InvalidJobHandlerError';
  }
}

/** Module options that cannot work. */
export class InvalidModuleOptionsError extends Error {
  constructor(message: string) {
    super(`BackgroundJobsModule: ${message}`);
    this.name = 'InvalidModuleOptionsError';
  }
}
