/** The caller has no principal: `resolvePrincipal` returned none (HTTP 401). */
export class UnauthenticatedError extends Error {
  constructor(message = 'Authentication required: send credentials that the application resolves to a principal') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** The principal may not do this (HTTP 403). */
export class AccessDeniedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}

/** A payload larger than the module accepts (HTTP 413). */
export class PayloadTooLargeError extends Error {
  constructor(
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(`payload is ${sizeBytes} bytes as JSON; at most ${limitBytes} bytes are accepted: store large data elsewhere and pass a reference`);
    this.name = 'PayloadTooLargeError';
  }
}
