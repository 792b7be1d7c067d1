import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BundledJobs } from '../src/app/bundled-jobs.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

describe('bundled handlers of the application (queue on PostgreSQL)', () => {
  let env: TestEnv;
  let app: TestApp;
  const finished = (id: string) =>
    waitFor(async () => {
      const job = await app.service.get(id);
      return job.completedAt ? job : undefined;
    }, `job ${id} to finish`);
  const running = (id: string) => waitFor(async () => (await app.service.get(id)).status === 'Running', `job ${id} to run`);

  before(async () => {
    env = await createTestEnv('bundled');
    app = await createTestApp(env, {}, [BundledJobs], 'postgres');
  });

  after(async () => {
    await app?.close();
    await env?.cleanup();
  });

  it('echo_job returns { echo: payload }', async () => {
    const job = await app.service.enqueue('echo_job', { a: [1, 2] });
    const done = await finished(job.id);
    assert.equal(done.status, 'Completed');
    assert.deepEqual(done.result, { echo: { a: [1, 2] } });
  });

  it('sample_job works through its steps, reporting progress; defaults to 10 steps', async () => {
    const job = await app.service.enqueue('sample_job', { steps: 4, stepMs: 20 });
    const done = await finished(job.id);
    assert.equal(done.status, 'Completed');
    assert.equal(done.progress, 100);
    assert.equal(done.progressMessage, 'step 4 of 4');
    const byDefault = await finished((await app.service.enqueue('sample_job', { stepMs: 1 })).id);
    assert.equal(byDefault.progressMessage, 'step 10 of 10');
  });

  it('sample_job throws at failAt: retried, or straight to DeadLetter when permanent', async () => {
    const transient = await app.service.enqueue('sample_job', { steps: 3, stepMs: 1, failAt: 2 });
    const failed = await waitFor(async () => {
      const j = await app.service.get(transient.id);
      return j.status === 'Failed' ? j : undefined;
    }, 'the transient failure');
    assert.equal(failed.errorType, 'Transient');
    assert.equal(failed.errorMessage, 'sample_job failed at step 2 of 3');
    await app.service.cancel(transient.id);

    const permanent = await app.service.enqueue('sample_job', { steps: 3, stepMs: 1, failAt: 1, permanent: true });
    const dead = await waitFor(async () => {
      const j = await app.service.get(permanent.id);
      return j.status === 'DeadLetter' ? j : undefined;
    }, 'the permanent failure');
    assert.equal(dead.errorType, 'Permanent');
    assert.equal(dead.retryCount, 0);
  });

  it('sample_job and long_running_job stop at once when canceled', async () => {
    for (const [type, payload] of [
      ['sample_job', { steps: 100, stepMs: 1000 }],
      ['long_running_job', { durationMs: 60_000 }],
    ] as const) {
      const job = await app.service.enqueue(type, payload);
      await running(job.id);
      assert.equal((await app.service.cancel(job.id)).outcome, 'signaled');
      const done = await finished(job.id);
      assert.equal(done.status, 'Canceled');
      const stopMs = done.completedAt!.getTime() - done.canceledAt!.getTime();
      assert.ok(stopMs < 1000, `${type} stopped ${stopMs} ms after the cancel`);
    }
  });

  it('long_running_job with ignoreCancel runs its full time and its result is discarded', async () => {
    const job = await app.service.enqueue('long_running_job', { durationMs: 1500, ignoreCancel: true });
    await running(job.id);
    const startedAt = (await app.service.get(job.id)).startedAt!;
    assert.equal((await app.service.cancel(job.id)).outcome, 'signaled');
    const done = await finished(job.id);
    assert.equal(done.status, 'Canceled');
    assert.equal(done.result, null);
    assert.ok(done.completedAt!.getTime() - startedAt.getTime() >= 1400, 'it ran its full time');
  });

  it('long_running_job reports progress as time passes and completes', async () => {
    const job = await app.service.enqueue('long_running_job', { durationMs: 1200 });
    const done = await finished(job.id);
    assert.equal(done.status, 'Completed');
    assert.equal(done.progress, 100);
    assert.deepEqual(done.result, { durationMs: 1200 });
  });
});
