import 'reflect-metadata';
import type { INestApplication, Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BackgroundJobsModule, BackgroundJobsService, setupBackgroundJobsHttp, setupOpenApi, type BackgroundJobsModuleOptions, type BackgroundJobsMountOptions } from '../../src/index.js';
import { Probe } from './probe.js';
import { typeOrmForTest } from './test-app.js';
import type { TestEnv } from './test-env.js';
import { TestHandlers } from './test-handlers.js';
import { testPrincipal } from './test-principal.js';

export interface HttpTestApp {
  app: INestApplication;
  service: BackgroundJobsService;
  probe: Probe;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** A full Nest application (REST + Socket.IO + worker) on a real port, with the test handlers and principals. */
export async function createHttpTestApp(
  env: TestEnv,
  overrides: Partial<BackgroundJobsModuleOptions> & BackgroundJobsMountOptions = {},
  providers: Provider[] = [Probe, TestHandlers],
  options: { openApi?: boolean } = {},
): Promise<HttpTestApp> {
  const module = await Test.createTestingModule({
    imports: [
      typeOrmForTest(env),
      BackgroundJobsModule.forRoot({
        queue: { backend: 'redis', url: env.redisUrl, prefix: env.prefix },
        worker: { enabled: true, concurrency: 10, shutdownGraceMs: 2000 },
        resolvePrincipal: testPrincipal,
        ...overrides,
      }),
    ],
    providers,
  }).compile();
  const app = module.createNestApplication({ logger: process.env.TEST_LOGS ? ['log', 'warn', 'error'] : ['error'] });
  setupBackgroundJobsHttp(app);
  if (options.openApi) setupOpenApi(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    service: app.get(BackgroundJobsService),
    probe: app.get(Probe),
    url: `http://127.0.0.1:${address.port}`,
    close: () => app.close(),
  };
}
