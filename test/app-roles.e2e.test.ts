import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, freePort, restClient, startApp, waitForHealth, type AppProcess, type TestDatabase } from './support/app-process.js';
import { REDIS_URL, deleteRedisKeys } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

describe('ROLE=api in one process, ROLE=worker in two others, queue on Redis', () => {
  let db: TestDatabase;
  const prefix = `bgj-test-roles-${randomBytes(4).toString('hex')}`;
  const processes: AppProcess[] = [];
  let api: AppProcess;
  let workers: AppProcess[];
  let base: string;

  before(async () => {
    db = await createTestDatabase('roles');
    const env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix };
    const [apiPort, w1Port, w2Port] = await Promise.all([freePort(), freePort(), freePort()]);
    base = `http://127.0.0.1:${apiPort}`;
    api = startApp({ ...env, ROLE: 'api', PORT: String(apiPort) });
    processes.push(api);
    // The API runs the migrations first; the workers start on a ready schema.
    await waitForHealth(base, api);
    workers = [w1Port, w2Port].map((port) => startApp({ ...env, ROLE: 'worker', PORT: String(port) }));
    processes.push(...workers);
    await Promise.all(workers.map((w, i) => waitForHealth(`http://127.0.0.1:${[w1Port, w2Port][i]}`, w)));
    await Promise.all(workers.map((w) => w.waitForOutput(/Worker started/, 'the worker to start')));
  });

  after(async () => {
    const codes = await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await db?.drop();
    await deleteRedisKeys(REDIS_URL, `${prefix}:*`);
    assert.deepEqual(codes, codes.map(() => 0), 'every process shut down cleanly');
  });

  it('the API process runs no handlers; the workers do', () => {
    assert.doesNotMatch(api.output(), /Worker started/);
    assert.match(api.output(), /role api: listening on/);
    for (const w of workers) assert.match(w.output(), /role worker: listening on .* queue Redis/);
  });

  it('a job submitted through the API runs on a worker', async () => {
    const rest = restClient(base, 'ops');
    const jobs = await Promise.all(Array.from({ length: 6 }, () => rest.submit('sample_job', { steps: 3, stepMs: 30 })));
    for (const job of jobs) {
      const done = await rest.waitStatus(job.id, 'Completed');
      assert.deepEqual(done.result, { steps: 3, stepMs: 30 });
      assert.equal(done.progress, 100);
    }
  });

  it('a running job is canceled from the API and its handler on the worker stops', async () => {
    const rest = restClient(base, 'ops');
    const job = await rest.submit('long_running_job', { durationMs: 120_000 });
    await rest.waitStatus(job.id, 'Running');
    const res = await rest.call('POST', `/jobs/${job.id}/cancel`, { reason: 'from the API' });
    assert.equal(res.status, 200);
    assert.equal(res.body.outcome, 'signaled');
    assert.equal(res.body.job.status, 'Canceled');
    // completedAt is written when the handler in the worker process has really stopped.
    const stopped = await waitFor(async () => {
      const j = await rest.get(job.id);
      return j.completedAt ? j : undefined;
    }, 'the worker to stop the handler', 10_000);
    assert.equal(stopped.status, 'Canceled');
    assert.equal(stopped.cancelReason, 'from the API');
    const stopMs = Date.parse(stopped.completedAt as string) - Date.parse(stopped.canceledAt as string);
    assert.ok(stopMs >= 0 && stopMs < 5_000, `the handler stopped ${stopMs} ms after the cancel`);
  });
});
