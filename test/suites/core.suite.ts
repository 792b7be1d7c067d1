import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  InvalidJobInputError,
  JobNotFoundError,
  JobNotRetryableError,
  QueueUnavailableError,
  UnknownJobTypeError,
  JobEventBus,
  type JobEvent,
} from '../../src/index.js';
import { JobTransitionStore } from '../../src/store/job-transition.store.js';
import { assertAuditReplays } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestEnv, type TestEnv } from '../support/test-env.js';
import { waitFor } from '../support/wait-for.js';
import { openInspectionQueue, unreachableQueueOptions, type BackendKind, type InspectionQueue } from '../support/queue-backends.js';

/** The core engine e2e suite, on the queue backend `backend`; records always on PostgreSQL. */
export function coreSuite(backend: BackendKind): void {
describe(`core engine (real PostgreSQL, queue on ${backend})`, () => {
  let env: TestEnv;
  let app: TestApp;
  let queue: InspectionQueue;
  const events: JobEvent[] = [];

  const statusOf = async (id: string) => (await app.service.get(id)).status;
  const waitStatus = (id: string, status: string, timeoutMs = 15_000) =>
    waitFor(async () => (await statusOf(id)) === status, `job ${id} to be ${status}`, timeoutMs);
  const countRows = async () => {
    const { rows } = await env.pool.query('SELECT (SELECT count(*) FROM background_jobs)::int AS jobs, (SELECT count(*) FROM job_execution_logs)::int AS logs');
    return rows[0] as { jobs: number; logs: number };
  };

  before(async () => {
    env = await createTestEnv(`core_${backend}`);
    app = await createTestApp(env, {}, undefined, backend);
    app.module.get(JobEventBus).events$.subscribe((e) => events.push(e));
    queue = openInspectionQueue(env, backend);
  });

  after(async () => {
    await queue?.close();
    await app?.close();
    await env?.cleanup();
  });

  it('runs a job through Pending, Queued, Running to Completed with its result', async () => {
    const job = await app.service.enqueue('test.echo', { hello: 'world' }, { ownerId: 'u1', tenantId: 't1' });
    // Usually Queued; but the worker may claim the job before enqueue returns (on PostgreSQL,
    // NOTIFY wakes the worker of this very process at once), and enqueue then returns the
    // job as the worker left it. The audit below shows that it went through Queued either way.
    assert.ok(['Queued', 'Running', 'Completed'].includes(job.status), `enqueue returned ${job.status}`);
    assert.equal(job.queueJobId, job.id);
    await waitStatus(job.id, 'Completed');
    const done = await app.service.get(job.id);
    assert.deepEqual(done.result, { echo: { hello: 'world' } });
    assert.equal(done.progress, 100);
    assert.ok(done.completedAt && done.startedAt);
    assert.deepEqual(await assertAuditReplays(app.service, job.id), ['Pending', 'Queued', 'Running', 'Completed']);
    const statusEvents = events.filter((e) => e.kind === 'status' && e.job.id === job.id);
    assert.deepEqual(statusEvents.map((e) => e.kind === 'status' && e.toStatus), ['Pending', 'Queued', 'Running', 'Completed']);
  });

  it('cancels a running job: Canceled at once, its signal fires with JobCanceledError, completedAt when it stopped', async () => {
    const job = await app.service.enqueue('test.block');
    await app.probe.when('entered', job.id);
    const { job: canceled, outcome } = await app.service.cancel(job.id, { by: 'alice', reason: 'changed my mind' });
    assert.equal(outcome, 'signaled');
    assert.equal(canceled.status, 'Canceled');
    assert.equal(canceled.canceledBy, 'alice');
    assert.equal(canceled.cancelReason, 'changed my mind');
    assert.ok(canceled.canceledAt);
    await app.probe.when('aborted', job.id);
    assert.deepEqual(app.probe.record(job.id).abortReasons, ['JobCanceledError']);
    const stopped = await waitFor(async () => {
      const j = await app.service.get(job.id);
      return j.completedAt ? j : undefined;
    }, 'completedAt of the canceled job');
    assert.equal(stopped.status, 'Canceled');
    assert.ok(stopped.completedAt!.getTime() >= stopped.canceledAt!.getTime());
    assert.deepEqual(await assertAuditReplays(app.service, job.id), ['Pending', 'Queued', 'Running', 'Canceled']);
    assert.ok(events.some((e) => e.kind === 'canceled' && e.job.id === job.id && e.outcome === 'signaled'));
  });

  it('a handler that ignores the cancel runs on, but its late result never overwrites Canceled', async () => {
    const job = await app.service.enqueue('test.stubborn');
    await app.probe.when('entered', job.id);
    assert.equal((await app.service.cancel(job.id)).outcome, 'signaled');
    await app.probe.when('aborted', job.id);
    assert.equal((await app.service.get(job.id)).completedAt, null, 'completedAt waits for the handler');
    app.probe.release(job.id);
    const final = await waitFor(async () => {
      const j = await app.service.get(job.id);
      return j.completedAt ? j : undefined;
    }, 'the stubborn handler to return');
    assert.equal(final.status, 'Canceled');
    assert.equal(final.result, null);
    assert.equal(app.probe.record(job.id).returned, 1);
  });

  for (const type of ['test.poll', 'test.report']) {
    it(`a worker that missed the cancel message learns it at the handler's next check (${type})`, async () => {
      const job = await app.service.enqueue(type);
      await app.probe.when('entered', job.id);
      // Cancel in the database only, as if the cancel message never arrived.
      const store = app.module.get(JobTransitionStore);
      await store.transition(job.id, ['Running'], 'Canceled', { canceledAt: new Date(), canceledBy: 'db' }, { actor: 'db' });
      await app.probe.when('aborted', job.id);
      assert.deepEqual(app.probe.record(job.id).abortReasons, ['JobCanceledError']);
      await waitFor(async () => (await app.service.get(job.id)).completedAt, 'the handler to stop');
      assert.equal((await app.service.get(job.id)).status, 'Canceled');
    });
  }

  it('canceling a completed job is a noop and changes nothing', async () => {
    const job = await app.service.enqueue('test.echo', 1);
    await waitStatus(job.id, 'Completed');
    const before = await app.service.get(job.id);
    const historyBefore = await app.service.history(job.id);
    const { job: after, outcome } = await app.service.cancel(job.id, { by: 'bob' });
    assert.equal(outcome, 'noop');
    assert.deepEqual(after, before);
    assert.deepEqual(await app.service.get(job.id), before);
    assert.equal((await app.service.history(job.id)).length, historyBefore.length);
  });

  it('cancels a delayed job: out of the queue, its handler never runs', async () => {
    const job = await app.service.enqueue('test.echo', null, { delayMs: 60_000 });
    assert.equal(await (await queue.getJob(job.id))?.getState(), 'delayed');
    const { job: canceled, outcome } = await app.service.cancel(job.id, { by: 'carol' });
    assert.equal(outcome, 'dequeued');
    assert.equal(canceled.status, 'Canceled');
    assert.ok(canceled.completedAt);
    assert.equal(await queue.getJob(job.id), undefined);
    assert.equal(app.probe.record(job.id).entered, 0);
    assert.deepEqual(await assertAuditReplays(app.service, job.id), ['Pending', 'Queued', 'Canceled']);
  });

  it('cancels a job waiting for a retry: dequeued, never runs again', async () => {
    const job = await app.service.enqueue('test.slow-retry');
    const failed = await waitFor(async () => {
      const j = await app.service.get(job.id);
      return j.status === 'Failed' ? j : undefined;
    }, 'the first attempt to fail');
    assert.equal(failed.retryCount, 1);
    assert.ok(failed.nextRetryAt && failed.nextRetryAt.getTime() > Date.now() + 30_000);
    await waitFor(async () => (await queue.getJob(job.id))?.getState().then((s) => s === 'delayed'), 'the retry to be delayed in the queue');
    const { outcome, job: canceled } = await app.service.cancel(job.id);
    assert.equal(outcome, 'dequeued');
    assert.equal(canceled.nextRetryAt, null);
    assert.equal(await queue.getJob(job.id), undefined);
    assert.equal(app.probe.record(job.id).entered, 1);
    assert.deepEqual(await assertAuditReplays(app.service, job.id), ['Pending', 'Queued', 'Running', 'Failed', 'Canceled']);
  });

  it('a timeout aborts the signal with JobTimeoutError, records TimedOut, and retries', async () => {
    const job = await app.service.enqueue('test.timeout');
    await waitStatus(job.id, 'DeadLetter');
    const statuses = await assertAuditReplays(app.service, job.id);
    assert.deepEqual(statuses, ['Pending', 'Queued', 'Running', 'TimedOut', 'Queued', 'Running', 'DeadLetter']);
    assert.deepEqual(app.probe.record(job.id).abortReasons, ['JobTimeoutError', 'JobTimeoutError']);
    const final = await app.service.get(job.id);
    assert.match(final.errorMessage ?? '', /timed out/);
    assert.equal(final.errorType, 'Transient');
  });

  it('a PermanentError goes straight to DeadLetter', async () => {
    const job = await app.service.enqueue('test.permanent');
    await waitStatus(job.id, 'DeadLetter');
    const final = await app.service.get(job.id);
    assert.equal(final.errorType, 'Permanent');
    assert.equal(final.errorMessage, 'this input can never work');
    assert.equal(app.probe.record(job.id).entered, 1);
    assert.deepEqual(await assertAuditReplays(app.service, job.id), ['Pending', 'Queued', 'Running', 'DeadLetter']);
  });

  it('retries with backoff until the retries are used up, then DeadLetter', async () => {
    const job = await app.service.enqueue('test.fail');
    await waitStatus(job.id, 'DeadLetter');
    assert.equal(app.probe.record(job.id).entered, 3);
    const final = await app.service.get(job.id);
    assert.equal(final.retryCount, 2);
    assert.equal(final.errorType, 'Transient');
    assert.deepEqual(await assertAuditReplays(app.service, job.id), [
      'Pending', 'Queued', 'Running', 'Failed', 'Queued', 'Running', 'Failed', 'Queued', 'Running', 'DeadLetter',
    ]);
  });

  it('a manual retry of a DeadLetter job enqueues it again under a new queue id and runs it', async () => {
    const job = await app.service.enqueue('test.flaky', { succeedOn: 5 });
    await waitStatus(job.id, 'DeadLetter');
    assert.equal(app.probe.record(job.id).entered, 4);
    const retried = await app.service.retry(job.id, { by: 'admin' });
    assert.equal(retried.status, 'Queued');
    assert.equal(retried.queueJobId, `${job.id}_r1`);
    await waitStatus(job.id, 'Completed');
    assert.deepEqual((await app.service.get(job.id)).result, { runs: 5, attempt: 1 });
    const rows = await app.service.history(job.id);
    assert.ok(rows.some((r) => r.fromStatus === 'DeadLetter' && r.toStatus === 'Queued' && r.actor === 'admin'));
    await assertAuditReplays(app.service, job.id);
    await assert.rejects(app.service.retry(job.id), JobNotRetryableError);
  });

  it('writes progress at most once a second, always 100 %, and publishes each write', async () => {
    const job = await app.service.enqueue('test.progress', { steps: 8, stepMs: 150 });
    const started = Date.now();
    await waitStatus(job.id, 'Completed');
    const elapsed = Date.now() - started;
    const progress = events.filter((e) => e.kind === 'progress' && e.jobId === job.id);
    assert.ok(progress.length >= 1);
    assert.ok(progress.length <= Math.ceil(elapsed / 1000) + 1, `${progress.length} writes in ${elapsed} ms`);
    const values = progress.map((e) => (e.kind === 'progress' ? e.progress : -1));
    assert.deepEqual([...values].sort((a, b) => a - b), values, 'progress only grows');
    assert.equal(values.at(-1), 100);
  });

  describe('bad input: a clear error and nothing written', () => {
    it('refuses an unknown type', async () => {
      const before = await countRows();
      await assert.rejects(app.service.enqueue('no.such.type', {}), UnknownJobTypeError);
      assert.deepEqual(await countRows(), before);
    });

    it('refuses a negative or fractional delay, a bad priority, a bad timeout', async () => {
      const before = await countRows();
      await assert.rejects(app.service.enqueue('test.echo', {}, { delayMs: -1 }), InvalidJobInputError);
      await assert.rejects(app.service.enqueue('test.echo', {}, { delayMs: 1.5 }), InvalidJobInputError);
      await assert.rejects(app.service.enqueue('test.echo', {}, { priority: 'Urgent' as never }), InvalidJobInputError);
      await assert.rejects(app.service.enqueue('test.echo', {}, { timeoutSeconds: 0 }), InvalidJobInputError);
      await assert.rejects(app.service.enqueue('test.echo', {}, { maxRetries: -2 }), InvalidJobInputError);
      assert.deepEqual(await countRows(), before);
    });

    it('refuses a payload that is not JSON-serialisable', async () => {
      const before = await countRows();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const payload of [{ n: 10n }, cyclic, { f: () => 1 }, { x: Number.NaN }, new Map(), [Symbol('s')]]) {
        await assert.rejects(app.service.enqueue('test.echo', payload), InvalidJobInputError);
      }
      assert.deepEqual(await countRows(), before);
    });

    it('refuses malformed ids and reports unknown ones as not found', async () => {
      for (const id of ['', 'abc', '1', "x' OR 1=1 --", '00000000-0000-0000-0000-00000000000Z']) {
        await assert.rejects(app.service.get(id), InvalidJobInputError);
        await assert.rejects(app.service.cancel(id), InvalidJobInputError);
        await assert.rejects(app.service.retry(id), InvalidJobInputError);
        await assert.rejects(app.service.history(id), InvalidJobInputError);
      }
      const unknown = '6f1c2d9e-0b7a-4c1e-9d55-3a1f0e2b4c6d';
      await assert.rejects(app.service.get(unknown), JobNotFoundError);
      await assert.rejects(app.service.cancel(unknown), JobNotFoundError);
      await assert.rejects(app.service.retry(unknown), JobNotFoundError);
      await assert.rejects(app.service.history(unknown), JobNotFoundError);
    });

    it('refuses out-of-range list limits', async () => {
      await assert.rejects(app.service.list({ limit: 101 }), InvalidJobInputError);
      await assert.rejects(app.service.list({ limit: 0 }), InvalidJobInputError);
      await assert.rejects(app.service.list({ offset: -1 }), InvalidJobInputError);
      await assert.rejects(app.service.list({ status: 'Bogus' }), InvalidJobInputError);
    });
  });

  it('lists jobs newest first with filters and a total', async () => {
    const a = await app.service.enqueue('test.echo', 'a', { tenantId: 'tenant-list', ownerId: 'o1' });
    const b = await app.service.enqueue('test.echo', 'b', { tenantId: 'tenant-list', ownerId: 'o2' });
    const page = await app.service.list({ tenantId: 'tenant-list', limit: 1 });
    assert.equal(page.total, 2);
    assert.equal(page.items.length, 1);
    assert.equal(page.items[0].id, b.id);
    const owned = await app.service.list({ ownerId: 'o1' });
    assert.deepEqual(owned.items.map((j) => j.id), [a.id]);
  });

  it('a cancel from another process (API only, no worker) reaches the worker over the queue backend', async () => {
    const api = await createTestApp(env, { worker: { enabled: false } }, undefined, backend);
    try {
      const job = await api.service.enqueue('test.block');
      await app.probe.when('entered', job.id);
      const { outcome } = await api.service.cancel(job.id, { by: 'remote' });
      assert.equal(outcome, 'signaled');
      await app.probe.when('aborted', job.id, 5_000);
      assert.deepEqual(app.probe.record(job.id).abortReasons, ['JobCanceledError']);
      const stopped = await waitFor(async () => {
        const j = await app.service.get(job.id);
        return j.completedAt ? j : undefined;
      }, 'completedAt of the remotely canceled job');
      assert.equal(stopped.status, 'Canceled');
      assert.equal(stopped.canceledBy, 'remote');
    } finally {
      await api.close();
    }
  });

  it('an unreachable queue gives QueueUnavailableError and leaves no record', async () => {
    const producer = await createTestApp(env, {
      queue: unreachableQueueOptions(env, backend),
      worker: { enabled: false },
    });
    try {
      const before = await countRows();
      await assert.rejects(producer.service.enqueue('test.echo', {}), QueueUnavailableError);
      assert.deepEqual(await countRows(), before);
    } finally {
      await producer.close();
    }
  });
});
}
