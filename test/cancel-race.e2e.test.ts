import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CancelOutcome } from '../src/index.js';
import { assertAuditReplays } from './support/audit.js';
import { MultiProcessHandlers } from './support/mp-handlers.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';
import { startWorkers, type WorkerChild } from './support/worker-processes.js';

const JOBS = Number(process.env.RACE_JOBS ?? 300);

describe(`cancel race: ${JOBS} jobs on two worker processes, each canceled at a random moment`, () => {
  let env: TestEnv;
  let producer: TestApp;
  let workers: WorkerChild[] = [];

  before(async () => {
    env = await createTestEnv('race');
    producer = await createTestApp(env, { worker: { enabled: false } }, [MultiProcessHandlers]);
    workers = await startWorkers(env, 2, 8);
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await producer?.close();
    await env?.cleanup();
  });

  it('ends every job final, never runs a dequeued job, never changes a Canceled job, and the audit replays', async () => {
    const outcomes = new Map<string, CancelOutcome>();
    // 16 handler slots, ~150 ms a job: the backlog drains in ~3 s, and the cancels are spread over
    // 2.5 s, so some land before the claim, some while the handler runs and some after it finished.
    const jobs = await Promise.all(
      Array.from({ length: JOBS }, () => producer.service.enqueue('mp.race', { ms: 50 + Math.floor(Math.random() * 200) })),
    );
    await Promise.all(
      jobs.map(async (job) => {
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 2500)));
        outcomes.set(job.id, (await producer.service.cancel(job.id, { by: 'racer' })).outcome);
      }),
    );
    assert.equal(outcomes.size, JOBS);

    const ids = [...outcomes.keys()];
    await waitFor(async () => {
      const { rows } = await env.pool.query(
        `SELECT count(*)::int AS open FROM background_jobs
         WHERE status NOT IN ('Completed', 'Canceled') OR completed_at IS NULL`,
      );
      return (rows[0] as { open: number }).open === 0;
    }, 'every job to be final with its handler stopped', 60_000, 100);

    await Promise.all(workers.map((w) => w.flush()));
    const entered = new Set<string>();
    for (const w of workers) for (const m of w.messages) if (m.type === 'entered') entered.add(m.jobId);

    const { rows } = await env.pool.query(`SELECT id, status FROM background_jobs`);
    const status = new Map((rows as { id: string; status: string }[]).map((r) => [r.id, r.status]));
    const counts: Record<string, number> = {};
    for (const id of ids) {
      const outcome = outcomes.get(id)!;
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      if (outcome === 'dequeued') {
        assert.equal(entered.has(id), false, `dequeued job ${id} entered its handler`);
        assert.equal(status.get(id), 'Canceled');
      } else if (outcome === 'signaled') {
        assert.equal(status.get(id), 'Canceled');
      } else {
        assert.equal(status.get(id), 'Completed', `noop job ${id} should have completed`);
      }
    }
    // Nothing happens to a job after it was canceled: Canceled is its last audit row, and its only one.
    const { rows: afterCancel } = await env.pool.query(
      `SELECT c.job_id FROM job_execution_logs c JOIN job_execution_logs l ON l.job_id = c.job_id AND l.id > c.id
       WHERE c.to_status = 'Canceled'`,
    );
    assert.deepEqual(afterCancel, [], 'a Canceled job changed again');
    const { rows: twice } = await env.pool.query(
      `SELECT job_id FROM job_execution_logs WHERE to_status IN ('Canceled', 'Completed') GROUP BY job_id HAVING count(*) > 1`,
    );
    assert.deepEqual(twice, [], 'a job reached a final state twice');
    for (const id of ids) await assertAuditReplays(producer.service, id);
    for (const outcome of ['dequeued', 'signaled', 'noop']) assert.ok(counts[outcome] > 0, `no cancel was ${outcome}: ${JSON.stringify(counts)}`);
    console.log(`race outcomes: ${JSON.stringify(counts)}; handlers entered: ${entered.size}`);
  });
});
