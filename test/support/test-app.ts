import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Provider } from '@nestjs/common';
import {
  BACKGROUND_JOBS_ENTITIES,
  BACKGROUND_JOBS_MIGRATIONS,
  BackgroundJobsModule,
  BackgroundJobsService,
  type BackgroundJobsModuleOptions,
} from '../../src/index.js';
import { Probe } from './probe.js';
import { TestHandlers } from './test-handlers.js';
import type { TestEnv } from './test-env.js';
import { queueOptionsFor, type BackendKind } from './queue-backends.js';

export interface TestApp {
  module: TestingModule;
  service: BackgroundJobsService;
  probe: Probe;
  close(): Promise<void>;
}

/** TypeORM on the test schema, with the module's migrations run at start. */
export function typeOrmForTest(env: Pick<TestEnv, 'databaseUrl' | 'schema'>, migrationsRun = true) {
  return TypeOrmModule.forRoot({
    type: 'postgres',
    url: env.databaseUrl,
    schema: env.schema,
    extra: { options: `-c search_path=${env.schema}`, max: 10 },
    entities: BACKGROUND_JOBS_ENTITIES,
    migrations: BACKGROUND_JOBS_MIGRATIONS,
    migrationsRun,
    logging: false,
  });
}

/**
 * A real application module on the real PostgreSQL, with the queue on `backend`
 * (Redis by default), and the test handlers.
 */
export async function createTestApp(
  env: TestEnv,
  overrides: Partial<BackgroundJobsModuleOptions> = {},
  providers: Provider[] = [TestHandlers],
  backend: BackendKind = 'redis',
): Promise<TestApp> {
  const module = await Test.createTestingModule({
    imports: [
      typeOrmForTest(env),
      BackgroundJobsModule.forRoot({
        queue: queueOptionsFor(env, backend),
        worker: { enabled: true, concurrency: 10, shutdownGraceMs: 2000 },
        ...overrides,
      }),
    ],
    // The probe is always there, so that tests can wait on what handlers did.
    providers: [Probe, ...providers],
  }).compile();
  module.useLogger(process.env.TEST_LOGS ? ['log', 'warn', 'error'] : ['error']);
  await module.init();
  return {
    module,
    service: module.get(BackgroundJobsService),
    probe: module.get(Probe),
    close: () => module.close(),
  };
}
