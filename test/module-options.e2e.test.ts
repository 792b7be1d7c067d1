import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  BackgroundJobsModule,
  JobAccessPolicy,
  setupBackgroundJobsHttp,
  type BackgroundJobsModuleOptions,
  type JobAccessSubject,
  type Principal,
} from '../src/index.js';
import { connectClient } from './support/nodes.js';
import { Probe } from './support/probe.js';
import { typeOrmForTest } from './support/test-app.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';
import { TestHandlers } from './support/test-handlers.js';
import { bearer, testPrincipal } from './support/test-principal.js';

/** An application's own rule: members of a tenant may also cancel each other's jobs. */
@Injectable()
class TeamCancelPolicy extends JobAccessPolicy {
  override canCancel(principal: Principal, job: JobAccessSubject): boolean {
    return super.canCancel(principal, job) || (!!principal.tenantId && principal.tenantId === job.tenantId);
  }
}

describe('module options: forRootAsync with mounts at the top level, a replaced policy, disabled mounts', () => {
  let env: TestEnv;
  const apps: INestApplication[] = [];

  const start = async (module: ReturnType<typeof BackgroundJobsModule.forRoot>): Promise<string> => {
    const testing = await Test.createTestingModule({ imports: [typeOrmForTest(env), module], providers: [Probe, TestHandlers] }).compile();
    const app = testing.createNestApplication({ logger: ['error'] });
    apps.push(app);
    setupBackgroundJobsHttp(app);
    await app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  };
  const options = (): BackgroundJobsModuleOptions => ({
    queue: { backend: 'redis', url: env.redisUrl, prefix: env.prefix },
    worker: { enabled: false },
    resolvePrincipal: testPrincipal,
  });

  before(async () => {
    env = await createTestEnv('module_options');
  });

  after(async () => {
    for (const app of apps) await app.close();
    await env?.cleanup();
  });

  it('mounts the controller and gateway where forRootAsync says, with the application’s policy', async () => {
    const url = await start(
      BackgroundJobsModule.forRootAsync({
        http: { path: 'api/v1/jobs' },
        realtime: { namespace: '/live' },
        accessPolicy: TeamCancelPolicy,
        useFactory: async () => ({
          ...options(),
          // A resolver that throws, or answers with something that is not a principal, makes the caller anonymous.
          resolvePrincipal: (req) => {
            if (req.headers.authorization === 'Bearer boom') throw new Error('token service down');
            if (req.headers.authorization === 'Bearer weird') return { id: 42 } as unknown as Principal;
            return testPrincipal(req);
          },
        }),
      }),
    );
    for (const token of ['boom', 'weird']) {
      const res = await request(url).get('/api/v1/jobs').set(bearer(token));
      assert.equal(res.status, 401, token);
      assert.equal(res.body.error, 'Unauthorized');
    }
    assert.equal((await request(url).get('/jobs').set(bearer('alice:acme'))).status, 404);
    const submitted = await request(url).post('/api/v1/jobs').set(bearer('alice:acme')).send({ type: 'test.echo', delayMs: 3_600_000 });
    assert.equal(submitted.status, 201);
    const canceled = await request(url).post(`/api/v1/jobs/${submitted.body.id}/cancel`).set(bearer('carol:acme')).send({});
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
    assert.equal(canceled.body.outcome, 'dequeued');
    assert.equal(canceled.body.job.canceledBy, 'carol');
    assert.equal((await request(url).post(`/api/v1/jobs/${submitted.body.id}/cancel`).set(bearer('bob'))).status, 403);

    const client = await connectClient(url, 'alice:acme', '/live');
    client.close();
    await assert.rejects(connectClient(url, 'alice:acme', '/jobs'), /Invalid namespace/);
  });

  it('refuses http/realtime/accessPolicy returned by the forRootAsync factory, saying where they belong', async () => {
    // The check is a provider of the dynamic module; run it as Nest would, without a database.
    const definition = BackgroundJobsModule.forRootAsync({ useFactory: () => ({ ...options(), http: { path: 'elsewhere' } }) });
    const check = (definition.providers ?? []).find(
      (p): p is { provide: symbol; useFactory: (o: object) => unknown } => typeof p === 'object' && 'provide' in p && String(p.provide).includes('late-mounts'),
    );
    assert.ok(check, 'forRootAsync adds the late-mounts check');
    assert.throws(() => check.useFactory({ ...options(), http: { path: 'elsewhere' } }), /http came from the forRootAsync factory; give it at the top level instead/);
    assert.doesNotThrow(() => check.useFactory(options()));
  });

  it('mounts neither the controller nor the gateway when disabled', async () => {
    const url = await start(BackgroundJobsModule.forRoot({ ...options(), http: { enabled: false }, realtime: { enabled: false } }));
    assert.equal((await request(url).get('/jobs').set(bearer('alice'))).status, 404);
    // No Socket.IO server at all: the websocket upgrade itself fails.
    await assert.rejects(connectClient(url, 'alice', '/jobs'), /websocket error|Invalid namespace/);
  });
});
