import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { DatabaseUnavailableError } from '../src/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

describe('database unreachable', () => {
  let env: TestEnv;
  let proxy: TcpProxy;
  let app: TestApp;
  let queue: Queue;

  before(async () => {
    env = await createTestEnv('dbdown');
    proxy = await startTcpProxy(5432);
    const url = new URL(env.databaseUrl);
    url.port = String(proxy.port);
    app = await createTestApp({ ...env, databaseUrl: url.toString() }, { worker: { enabled: false } });
    queue = new Queue('background-jobs', { connection: { host: '127.0.0.1', port: 6379 }, prefix: env.prefix });
  });

  after(async () => {
    await queue?.close();
    await app?.close().catch(() => undefined);
    await env?.cleanup();
  });

  it('gives DatabaseUnavailableError and puts nothing in the queue', async () => {
    const before = await app.service.enqueue('test.echo', { ok: true });
    assert.equal(before.status, 'Queued');
    const queuedBefore = await queue.count();
    await proxy.cut();
    await assert.rejects(app.service.enqueue('test.echo', { lost: true }), DatabaseUnavailableError);
    await assert.rejects(app.service.get(before.id), DatabaseUnavailableError);
    await assert.rejects(app.service.cancel(before.id), DatabaseUnavailableError);
    assert.equal(await queue.count(), queuedBefore, 'a job reached the queue without its record');
    const { rows } = await env.pool.query('SELECT count(*)::int AS n FROM background_jobs');
    assert.equal((rows[0] as { n: number }).n, 1);
  });
});
