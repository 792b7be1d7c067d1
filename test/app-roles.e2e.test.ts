import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, freePort, restClient, startApp, waitForHealth, type AppProcess, type TestDatabase } from './support/app-process.js';
import { REDIS_URL, deleteRedisKeys } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';
import { io, type Socket } from 'socket.io-client';

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

describe('ROLE=api and ROLE=worker with the queue on PostgreSQL (no Redis at all)', () => {
  let db: TestDatabase;
  let api: AppProcess;
  let worker: AppProcess;
  let base: string;
  let socket: Socket;

  before(async () => {
    db = await createTestDatabase('roles_pg');
    const env = { DATABASE_URL: db.url, REDIS_URL: undefined };
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = startApp({ ...env, ROLE: 'api', PORT: String(port) });
    await waitForHealth(base, api);
    worker = startApp({ ...env, ROLE: 'worker', PORT: undefined });
    await worker.waitForOutput(/role worker: no HTTP .* queue PostgreSQL/, 'the worker to start');
    socket = io(`${base}/jobs`, { auth: { token: 'pg-user' }, transports: ['websocket'] });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
  });

  after(async () => {
    socket?.disconnect();
    await Promise.all([api?.stop('SIGTERM'), worker?.stop('SIGTERM')]);
    await db?.drop();
  });

  it("the worker's progress and status events reach a Socket.IO client of the API; a cancel from the API stops the worker's handler", async () => {
    const seen: { event: string; jobId: string; toStatus?: string; progress?: number }[] = [];
    for (const event of ['job_status_changed', 'job_progress', 'job_canceled']) {
      socket.on(event, (e: { jobId: string; toStatus?: string; progress?: number }) => seen.push({ event, ...e }));
    }
    const rest = restClient(base, 'pg-user');
    const job = await rest.submit('sample_job', { steps: 3, stepMs: 400 });
    await waitFor(() => seen.some((e) => e.jobId === job.id && e.toStatus === 'Completed'), 'Completed over Socket.IO', 15_000);
    assert.ok(seen.some((e) => e.jobId === job.id && e.event === 'job_progress'), 'progress events arrived');
    assert.ok(seen.some((e) => e.jobId === job.id && e.toStatus === 'Running'));

    // A result too large for one NOTIFY travels through the adapter's attachments table.
    const big = await rest.submit('echo_job', { text: 'x'.repeat(20_000) });
    await waitFor(() => seen.some((e) => e.jobId === big.id && e.toStatus === 'Completed'), 'a large Completed event over Socket.IO', 15_000);

    const long = await rest.submit('long_running_job', { durationMs: 120_000 });
    await rest.waitStatus(long.id, 'Running');
    const res = await rest.call('POST', `/jobs/${long.id}/cancel`, {});
    assert.equal(res.body.outcome, 'signaled');
    await waitFor(() => seen.some((e) => e.jobId === long.id && e.event === 'job_canceled'), 'job_canceled over Socket.IO', 10_000);
    const stopped = await waitFor(async () => {
      const j = await rest.get(long.id);
      return j.completedAt ? j : undefined;
    }, 'the worker to stop the handler', 10_000);
    assert.equal(stopped.status, 'Canceled');
  });
});
