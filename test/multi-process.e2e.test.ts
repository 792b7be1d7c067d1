import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAuditReplays } from './support/audit.js';
import { MultiProcessHandlers } from './support/mp-handlers.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';
import { startWorkers, type WorkerChild } from './support/worker-processes.js';

describe('cancel across processes (two worker processes, cancel from the test process)', () => {
  let env: TestEnv;
  let producer: TestApp;
  let workers: WorkerChild[] = [];

  before(async () => {
    env = await createTestEnv('multiprocess');
    // The test process only enqueues and cancels: it runs no handler.
    producer = await createTestApp(env, { worker: { enabled: false } }, [MultiProcessHandlers]);
    workers = await startWorkers(env, 2, 4);
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await producer?.close();
    await env?.cleanup();
  });

  it("fires the handler's signal in the child that runs it, and only there", async () => {
    const jobs = await Promise.all(Array.from({ length: 6 }, () => producer.service.enqueue('mp.block')));
    const entered = await waitFor(() => {
      const where = new Map<string, number>();
      for (const w of workers) for (const m of w.messages) if (m.type === 'entered') where.set(m.jobId, w.pid);
      return jobs.every((j) => where.has(j.id)) ? where : undefined;
    }, 'every job to start in a worker process');
    assert.equal(new Set(entered.values()).size, 2, 'both worker processes run jobs');

    for (const job of jobs) {
      const { outcome, job: canceled } = await producer.service.cancel(job.id, { by: 'tester', reason: 'stop' });
      assert.equal(outcome, 'signaled');
      assert.equal(canceled.status, 'Canceled');
    }
    for (const job of jobs) {
      const aborted = await waitFor(() => {
        for (const w of workers) {
          const m = w.messages.find((x) => x.type === 'aborted' && x.jobId === job.id);
          if (m && m.type === 'aborted') return { pid: w.pid, reason: m.reason };
        }
        return undefined;
      }, `the signal of job ${job.id} to fire`);
      assert.equal(aborted.pid, entered.get(job.id), 'the signal fired in the process running the job');
      assert.equal(aborted.reason, 'JobCanceledError');
      const final = await waitFor(async () => {
        const j = await producer.service.get(job.id);
        return j.completedAt ? j : undefined;
      }, `job ${job.id} to record when its handler stopped`);
      assert.equal(final.status, 'Canceled');
      assert.deepEqual(await assertAuditReplays(producer.service, job.id), ['Pending', 'Queued', 'Running', 'Canceled']);
    }
    for (const w of workers) {
      const aborts = w.messages.filter((m) => m.type === 'aborted');
      assert.equal(new Set(aborts.map((m) => m.type === 'aborted' && m.jobId)).size, aborts.length, 'each signal fired once');
    }
  });
});
