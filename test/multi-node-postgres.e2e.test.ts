import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runMigrations } from 'bullmq';
import pg from 'pg';
import request from 'supertest';
import { connectClient, startNode, type NodeProcess, type TestClient } from './support/nodes.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';
import { bearer } from './support/test-principal.js';
import { waitFor } from './support/wait-for.js';

/**
 * The same cross-node cancel as multi-node.e2e, with the queue on PostgreSQL: the
 * Socket.IO transport is then PostgreSQL's (LISTEN/NOTIFY), and Redis is not used.
 */
describe('REST + Socket.IO across processes with the queue on PostgreSQL', () => {
  let env: TestEnv;
  let worker: NodeProcess;
  let api1: NodeProcess;
  let api2: NodeProcess;
  const clients: TestClient[] = [];

  before(async () => {
    env = await createTestEnv('multinode_pg');
    // The application's part with BullMQ's PostgreSQL backend: its schema is migrated once, up front.
    const client = new pg.Client({ connectionString: env.databaseUrl });
    await client.connect();
    try {
      await runMigrations(client, `${env.schema}_queue`);
    } finally {
      await client.end();
    }
    worker = await startNode('worker', env, 'postgres');
    api1 = await startNode('api', env, 'postgres');
    api2 = await startNode('api', env, 'postgres');
  });

  after(async () => {
    for (const c of clients) c.close();
    await Promise.all([api1?.stop(), api2?.stop(), worker?.stop()]);
    await env?.pool.query(`DROP SCHEMA IF EXISTS "${env.schema}_queue" CASCADE`);
    await env?.cleanup();
  });

  it('submitted on node 1, canceled on node 2 while running in the worker: both clients see it once, the handler stops', async () => {
    const onNode1 = await connectClient(api1.url, 'alice:acme');
    const onNode2 = await connectClient(api2.url, 'alice');
    clients.push(onNode1, onNode2);
    const status = (c: TestClient, jobId: string, to: string) =>
      c.waitForEvent('job_status_changed', (p) => p.jobId === jobId && p.toStatus === to, `${to} of ${jobId}`);

    const submitted = await request(api1.url).post('/jobs').set(bearer('alice:acme')).send({ type: 'test.sample', payload: { steps: 200, stepMs: 100 } });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const jobId = submitted.body.id as string;
    await Promise.all([status(onNode1, jobId, 'Running'), status(onNode2, jobId, 'Running')]);
    await onNode2.waitForEvent('job_progress', (p) => p.jobId === jobId, 'progress on node 2');

    const canceled = await request(api2.url).post(`/jobs/${jobId}/cancel`).set(bearer('alice')).send({ reason: 'stop' });
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
    assert.equal(canceled.body.outcome, 'signaled');
    for (const c of [onNode1, onNode2]) {
      const event = await c.waitForEvent('job_canceled', (p) => p.jobId === jobId, 'job_canceled');
      assert.deepEqual({ by: event.canceledBy, reason: event.reason, outcome: event.outcome }, { by: 'alice', reason: 'stop', outcome: 'signaled' });
      assert.equal((await status(c, jobId, 'Canceled')).fromStatus, 'Running');
    }
    const aborted = await waitFor(() => worker.messages.find((m) => m.type === 'aborted' && m.jobId === jobId), 'the handler signal to fire');
    assert.equal(aborted.type === 'aborted' && aborted.reason, 'JobCanceledError');

    // Barrier: later events from node 2 (Queued) and the worker (Completed).
    const barrier = await request(api2.url).post('/jobs').set(bearer('alice')).send({ type: 'test.echo' });
    for (const c of [onNode1, onNode2]) {
      await status(c, barrier.body.id, 'Queued');
      await status(c, barrier.body.id, 'Completed');
      assert.equal(c.of('job_canceled', jobId).length, 1);
      assert.equal(c.of('job_status_changed', jobId).filter((p) => p.toStatus === 'Canceled').length, 1);
    }
  });
});
