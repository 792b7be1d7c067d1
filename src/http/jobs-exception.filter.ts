import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { AccessDeniedError, PayloadTooLargeError, UnauthenticatedError } from '../errors/access-errors.js';
import {
  DependencyUnavailableError,
  InvalidJobInputError,
  JobNotDeletableError,
  JobNotFoundError,
  JobNotRetryableError,
  UnknownJobTypeError,
} from '../errors/service-errors.js';

/** The JSON body of every error answer. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** Domain error class → HTTP status: the one mapping of the REST API. */
const STATUS_OF_ERROR: ReadonlyArray<[abstract new (...args: never[]) => Error, number]> = [
  [InvalidJobInputError, HttpStatus.BAD_REQUEST],
  [UnknownJobTypeError, HttpStatus.BAD_REQUEST],
  [UnauthenticatedError, HttpStatus.UNAUTHORIZED],
  [AccessDeniedError, HttpStatus.FORBIDDEN],
  [JobNotFoundError, HttpStatus.NOT_FOUND],
  [JobNotRetryableError, HttpStatus.CONFLICT],
  [JobNotDeletableError, HttpStatus.CONFLICT],
  [PayloadTooLargeError, HttpStatus.PAYLOAD_TOO_LARGE],
  [DependencyUnavailableError, HttpStatus.SERVICE_UNAVAILABLE],
];

/**
 * Answers every error of the jobs routes as `{ statusCode, error, message }`: domain
 * errors by `STATUS_OF_ERROR`, Nest's `HttpException`s and `http-errors` (the body
 * parser's 400 and 413) by their own status, anything else as a logged 500 that
 * reveals nothing. Bound to the jobs controller; `setupBackgroundJobsHttp(app)` also
 * makes it global, so that the body parser's errors (raised before routing) get the
 * same shape.
 */
@Catch()
export class JobsExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('BackgroundJobs');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const body = this.toBody(exception);
    if (body.statusCode >= 500 && !(exception instanceof DependencyUnavailableError)) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    const response = host.switchToHttp().getResponse<{ headersSent?: boolean; status(code: number): { json(body: unknown): void }; end(): void }>();
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(body.statusCode).json(body);
  }

  /** The answer to an error. */
  toBody(exception: unknown): ErrorBody {
    const mapped = STATUS_OF_ERROR.find(([type]) => exception instanceof type);
    if (mapped && exception instanceof Error) return errorBody(mapped[1], exception.message);
    // Nest wraps the body parser's errors in an HttpException with the original as `cause`.
    const bodyError = exception instanceof HttpException ? exception.cause : exception;
    if (isBodyParserError(bodyError)) return errorBody(bodyError.statusCode, describeBodyError(bodyError));
    if (exception instanceof HttpException) return errorBody(exception.getStatus(), messageOf(exception.getResponse()) ?? exception.message);
    return errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
}

/** An error of express' body parser (`http-errors`, an exposed 4xx with a `type` such as `entity.too.large`). */
export interface BodyParserError extends Error {
  statusCode: number;
  expose: true;
  type?: string;
  limit?: number;
}

export function isBodyParserError(value: unknown): value is BodyParserError {
  if (!(value instanceof Error)) return false;
  const { statusCode, expose } = value as Error & { statusCode?: unknown; expose?: unknown };
  return expose === true && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** The message of an `HttpException` response: a string, or `message` (joined when a list). */
function messageOf(response: string | object): string | undefined {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return undefined;
}

/** Says what was wrong with the body, in words a client can act on. */
function describeBodyError(error: BodyParserError): string {
  switch (error.type) {
    case 'entity.too.large':
      return error.limit !== undefined
        ? `the request body is larger than the ${error.limit} bytes this server accepts`
        : 'the request body is larger than this server accepts';
    case 'entity.parse.failed':
      return `the body is not valid JSON: ${error.message}`;
    default:
      return error.message || (STATUS_CODES[error.statusCode] ?? 'Error');
  }
}
