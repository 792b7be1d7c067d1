import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { JobEventBus } from '../src/index.js';
import { assertAuditReplays } from './support/audit.js';
import { MultiProcessHandlers } from './support/mp-handlers.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';
import { startWorkers } from './support/worker-processes.js';

describe('worker lifecycle: shutdown and crash leave no job Running without a worker', () => {
  // Each test has its own queue: BullMQ's stalled check runs once per interval per queue,
  // at the interval of whichever worker ran it last.
  const envs: TestEnv[] = [];
  const newEnv = async (label: string) => {
    const env = await createTestEnv(label);
    envs.push(env);
    return env;
  };

  after(async () => {
    await Promise.all(envs.map((e) => e.cleanup()));
  });

  it('app.close() gives handlers a grace period, aborts them, and hands their jobs to another worker', async () => {
    const env = await newEnv('shutdown');
    const first = await createTestApp(env, { worker: { enabled: true, shutdownGraceMs: 300 } });
    const published: string[] = [];
    first.module.get(JobEventBus).events$.subscribe((e) => {
      if (e.kind === 'status') published.push(`${e.fromStatus}->${e.toStatus}`);
    });
    const job = await first.service.enqueue('test.block');
    await first.probe.when('entered', job.id);
    await first.close();
    assert.deepEqual(first.probe.record(job.id).abortReasons, ['WorkerShutdownError']);
    assert.ok(published.includes('Running->Failed'), `the hand-back was published: ${published.join(', ')}`);
    const handedBack = await first.service.get(job.id).catch(() => undefined);
    // The first app is closed: read through a fresh one.
    const second = await createTestApp(env);
    try {
      const afterClose = handedBack ?? (await second.service.get(job.id));
      assert.notEqual(afterClose.status, 'Running', 'left Running without a worker');
      await second.probe.when('entered', job.id);
      const running = await second.service.get(job.id);
      assert.equal(running.status, 'Running');
      assert.equal(running.retryCount, 0, 'a shutdown uses no retry');
      second.probe.release(job.id);
      await waitFor(async () => (await second.service.get(job.id)).status === 'Completed', 'the job to complete on the second worker');
      assert.deepEqual(await assertAuditReplays(second.service, job.id), [
        'Pending', 'Queued', 'Running', 'Failed', 'Queued', 'Running', 'Completed',
      ]);
    } finally {
      await second.close();
    }
  });

  it('a worker process killed mid-job: another worker takes the job over and it stays cancellable', async () => {
    const env = await newEnv('crash');
    const producer = await createTestApp(env, { worker: { enabled: false } }, [MultiProcessHandlers]);
    const [doomed] = await startWorkers(env, 1, 2, 1000);
    try {
      const job = await producer.service.enqueue('mp.durable');
      await waitFor(() => doomed.messages.some((m) => m.type === 'entered' && m.jobId === job.id), 'the job to start');
      doomed.child.kill('SIGKILL');
      assert.equal((await producer.service.get(job.id)).status, 'Running');
      const [rescuer] = await startWorkers(env, 1, 2, 1000);
      try {
        await waitFor(
          () => rescuer.messages.some((m) => m.type === 'entered' && m.jobId === job.id),
          'another worker to take the job over',
          30_000,
        );
        const taken = await producer.service.get(job.id);
        assert.equal(taken.status, 'Running');
        assert.equal(taken.retryCount, 1, 'the lost run counts as an attempt');
        assert.equal((await producer.service.cancel(job.id)).outcome, 'signaled');
        await waitFor(
          () => rescuer.messages.some((m) => m.type === 'aborted' && m.jobId === job.id),
          'the signal to fire in the new worker',
        );
        assert.deepEqual(await assertAuditReplays(producer.service, job.id), [
          'Pending', 'Queued', 'Running', 'Failed', 'Queued', 'Running', 'Canceled',
        ]);
      } finally {
        await rescuer.stop();
      }
    } finally {
      await doomed.stop();
      await producer.close();
    }
  });
});
