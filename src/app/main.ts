import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfig, redact, type AppConfig } from './app-config.js';
import { AppModule } from './app.module.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { setupBackgroundJobsHttp, setupOpenApi } from '../index.js';

/**
 * The dashboard's static files. They live in `src/app/dashboard` and are served
 * from there (plain HTML/CSS/JS: nothing to build), whether this file runs from
 * `build/src/app` or elsewhere.
 */
function dashboardDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'dashboard'), resolve(here, '../../../src/app/dashboard')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[1];
}

function describeQueue(config: AppConfig, databaseUrl: string): string {
  return config.redisUrl ? `Redis ${redact(config.redisUrl)}` : `PostgreSQL ${redact(databaseUrl)} (schema bullmq)`;
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = new Logger('App');
  const embedded = config.databaseUrl ? null : new EmbeddedPostgres(config.dataDir);
  let databaseUrl: string;
  try {
    databaseUrl = config.databaseUrl ?? (await embedded!.start());
  } catch (error) {
    embedded?.stopNow();
    throw error;
  }

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl), {
    logger: ['log', 'warn', 'error'],
  });
  // Graceful shutdown on SIGINT/SIGTERM: `app.close()` runs every Nest shutdown hook (workers
  // drain, queue and database connections close), then the embedded PostgreSQL stops.
  // Not `app.enableShutdownHooks()`: it would leave no place to stop the database *after*
  // the modules that use it (Nest runs the root module's shutdown hooks first).
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn(`${signal} again: exiting now`);
      embedded?.stopNow();
      process.exit(1);
    }
    closing = true;
    logger.log(`${signal}: shutting down`);
    app
      .close()
      .then(() => embedded?.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`Shutdown failed: ${String(error)}`);
          embedded?.stopNow();
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  const database = embedded ? `${embedded.describe()} at ${redact(databaseUrl)}` : `PostgreSQL ${redact(databaseUrl)}`;
  const queue = describeQueue(config, databaseUrl);
  // A worker serves no HTTP unless PORT is given (then only /health), so `npm run worker` runs beside `npm start`.
  const listens = config.role !== 'worker' || process.env.PORT !== undefined;
  if (config.role !== 'worker') {
    setupBackgroundJobsHttp(app);
    setupOpenApi(app, { path: 'docs', title: 'nest-background-jobs demo' });
    app.useStaticAssets(dashboardDir(), { index: 'index.html' });
  }
  if (listens) {
    await app.listen(config.port);
    const url = `http://localhost:${config.port}`;
    logger.log(`role ${config.role}: listening on ${url} · database ${database} · queue ${queue}`);
  } else {
    await app.init();
    logger.log(`role ${config.role}: no HTTP · database ${database} · queue ${queue}`);
  }
}

main().catch((error: unknown) => {
  new Logger('App').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
