import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { JobTransitionStore } from '../src/store/job-transition.store.js';
import { assertAuditReplays } from './support/audit.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

describe('reconciler: what a crash between PostgreSQL and the queue leaves behind is repaired', () => {
  let env: TestEnv;
  let app: TestApp;
  let store: JobTransitionStore;

  /** A record as a process that died half-way would leave it: in PostgreSQL, not in the queue. */
  const orphan = async (type: string, upTo: 'Pending' | 'Queued' | 'Running'): Promise<string> => {
    const id = randomUUID();
    const audit = { actor: 'crashed-process' };
    await store.create(
      { id, status: 'Pending', type, priority: 'Normal', queueName: 'background-jobs', queueJobId: null, payload: { id }, maxRetries: 1, timeoutSeconds: 30 },
      audit,
    );
    if (upTo !== 'Pending') await store.transition(id, ['Pending'], 'Queued', { queueJobId: id }, audit);
    if (upTo === 'Running') await store.transition(id, ['Queued'], 'Running', { startedAt: new Date() }, audit);
    await env.pool.query(`UPDATE background_jobs SET updated_at = now() - interval '1 hour' WHERE id = $1`, [id]);
    return id;
  };

  before(async () => {
    env = await createTestEnv('reconciler');
    app = await createTestApp(env, { worker: { enabled: true, lockDurationMs: 500 } });
    store = app.module.get(JobTransitionStore);
  });

  after(async () => {
    await app?.close();
    await env?.cleanup();
  });

  it('enqueues a Pending record whose enqueue never reached the queue', async () => {
    const id = await orphan('test.echo', 'Pending');
    await waitFor(async () => (await app.service.get(id)).status === 'Completed', 'the orphan to be enqueued and run');
    const rows = await app.service.history(id);
    assert.ok(rows.some((r) => r.fromStatus === 'Pending' && r.toStatus === 'Queued' && r.actor === 'reconciler'));
    await assertAuditReplays(app.service, id);
  });

  it('adds a Queued record whose queue entry is gone back to the queue', async () => {
    const id = await orphan('test.echo', 'Queued');
    await waitFor(async () => (await app.service.get(id)).status === 'Completed', 'the lost queue entry to be re-added and run');
    assert.deepEqual(await assertAuditReplays(app.service, id), ['Pending', 'Queued', 'Running', 'Completed']);
  });

  it('dead-letters a Running record whose queue job is gone, so that a person can retry it', async () => {
    const id = await orphan('test.echo', 'Running');
    await waitFor(async () => (await app.service.get(id)).status === 'DeadLetter', 'the lost running job to be dead-lettered');
    assert.match((await app.service.get(id)).errorMessage ?? '', /queue job is gone/);
    await app.service.retry(id);
    await waitFor(async () => (await app.service.get(id)).status === 'Completed', 'the manual retry to run');
    await assertAuditReplays(app.service, id);
  });

  it('leaves alone a job that is only waiting (a long delay) or running (lock held)', async () => {
    const delayed = await app.service.enqueue('test.echo', null, { delayMs: 60_000 });
    const running = await app.service.enqueue('test.block');
    await app.probe.when('entered', running.id);
    await env.pool.query(`UPDATE background_jobs SET updated_at = now() - interval '1 hour' WHERE id = ANY($1)`, [[delayed.id, running.id]]);
    // Wait until the reconciler has certainly made a pass over them: a marker orphan gets repaired.
    const marker = await orphan('test.echo', 'Pending');
    await waitFor(async () => (await app.service.get(marker)).status === 'Completed', 'a reconcile pass');
    assert.equal((await app.service.get(delayed.id)).status, 'Queued');
    assert.equal((await app.service.get(running.id)).status, 'Running');
    await app.service.cancel(running.id);
  });
});
