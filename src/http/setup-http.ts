import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter, type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { isBodyParserError, JobsExceptionFilter } from './jobs-exception.filter.js';
import { MAX_PAYLOAD_BYTES } from './jobs.schemas.js';

/** JSON body limit that `setupBackgroundJobsHttp` sets: a full 256 KiB payload plus its envelope. */
export const DEFAULT_JSON_BODY_LIMIT = MAX_PAYLOAD_BYTES + 64 * 1024;

/**
 * Matches what express' body parser raises: an `http-errors` error with an exposed
 * 4xx status, or the `HttpException` Nest wraps it in (its `cause`).
 */
abstract class RequestBodyError {
  static [Symbol.hasInstance](value: unknown): boolean {
    return isBodyParserError(value instanceof HttpException ? value.cause : value);
  }
}

/**
 * Answers the body parser's errors (too large, unsupported charset, …), which happen
 * before any route and so before the jobs controller's own filter, as
 * `{ statusCode, error, message }`. It catches nothing else, so the application's
 * own global filters keep working.
 */
@Catch(RequestBodyError)
export class RequestBodyExceptionFilter implements ExceptionFilter {
  private readonly delegate = new JobsExceptionFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    this.delegate.catch(exception, host);
  }
}

/**
 * Prepares an Express application for the jobs REST API; call it before
 * `app.init()` / `app.listen()`. Raises the JSON body limit to `jsonBodyLimit`
 * (Express' default, 100 KiB, would refuse payloads the API accepts) and installs
 * `RequestBodyExceptionFilter`. Without it the API still works, with smaller bodies.
 */
export function setupBackgroundJobsHttp(app: INestApplication, options: { jsonBodyLimit?: number | string } = {}): void {
  const express = app as INestApplication & { useBodyParser?: (type: string, options: { limit: number | string }) => unknown };
  if (typeof express.useBodyParser === 'function') {
    express.useBodyParser('json', { limit: options.jsonBodyLimit ?? DEFAULT_JSON_BODY_LIMIT });
  }
  app.useGlobalFilters(new RequestBodyExceptionFilter());
}

/**
 * Serves the OpenAPI document of the application (the jobs routes included) at
 * `/<path>` (Swagger UI) and `/<path>-json`. Returns the document.
 */
export function setupOpenApi(
  app: INestApplication,
  options: { path?: string; title?: string; version?: string; description?: string } = {},
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title ?? 'Background jobs')
    .setDescription(options.description ?? 'Submit, watch, cancel and retry durable background jobs')
    .setVersion(options.version ?? '1.0')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(options.path ?? 'docs', app, document);
  return document;
}
