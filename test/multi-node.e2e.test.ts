import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { connectClient, startNode, type NodeProcess, type TestClient } from './support/nodes.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';
import { bearer } from './support/test-principal.js';
import { waitFor } from './support/wait-for.js';

/**
 * Two API processes and one worker process on one schema and Redis prefix: REST
 * and Socket.IO on the API nodes, handlers only on the worker. Events raised in the
 * worker reach sockets on both API nodes through Socket.IO's Redis emitter/adapter.
 */
describe('REST + Socket.IO across two API processes and a worker process', () => {
  let env: TestEnv;
  let worker: NodeProcess;
  let api1: NodeProcess;
  let api2: NodeProcess;
  const clients: TestClient[] = [];

  const connect = async (node: NodeProcess, token: string): Promise<TestClient> => {
    const client = await connectClient(node.url, token);
    clients.push(client);
    return client;
  };
  const submit = async (node: NodeProcess, token: string, body: object): Promise<Record<string, unknown>> => {
    const res = await request(node.url).post('/jobs').set(bearer(token)).send(body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as Record<string, unknown>;
  };
  /** Waits until the job reached `status` on the client. */
  const statusEvent = (client: TestClient, jobId: string, toStatus: string) =>
    client.waitForEvent('job_status_changed', (p) => p.jobId === jobId && p.toStatus === toStatus, `${toStatus} of ${jobId}`);

  before(async () => {
    env = await createTestEnv('multinode');
    // One after the other: each runs the migrations on the shared schema at start.
    worker = await startNode('worker', env);
    api1 = await startNode('api', env);
    api2 = await startNode('api', env);
  });

  after(async () => {
    for (const c of clients) c.close();
    await Promise.all([api1?.stop(), api2?.stop(), worker?.stop()]);
    await env?.cleanup();
  });

  it('a job submitted on node 1 and canceled on node 2 while it runs in the worker: both clients see it, the handler stops', async () => {
    const onNode1 = await connect(api1, 'alice:acme');
    const onNode2 = await connect(api2, 'alice:acme');

    const job = await submit(api1, 'alice:acme', { type: 'test.sample', payload: { steps: 200, stepMs: 100 } });
    const jobId = job.id as string;
    assert.equal(job.ownerId, 'alice');
    assert.equal(job.tenantId, 'acme');

    // Running and progress come from the worker process (the emitter) to both API nodes.
    await Promise.all([statusEvent(onNode1, jobId, 'Running'), statusEvent(onNode2, jobId, 'Running')]);
    await waitFor(() => worker.messages.some((m) => m.type === 'entered' && m.jobId === jobId), 'the handler to start in the worker');
    const progress = await onNode1.waitForEvent('job_progress', (p) => p.jobId === jobId, 'progress of the job on node 1');
    assert.equal(progress.status, 'Running');
    assert.equal(typeof progress.progress, 'number');
    assert.match(progress.updatedAt as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const res = await request(api2.url).post(`/jobs/${jobId}/cancel`).set(bearer('alice:acme')).send({ reason: 'changed my mind' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.outcome, 'signaled');
    assert.equal(res.body.job.status, 'Canceled');
    assert.equal(res.body.job.canceledBy, 'alice');

    for (const client of [onNode1, onNode2]) {
      const canceled = await client.waitForEvent('job_canceled', (p) => p.jobId === jobId, 'job_canceled');
      assert.equal(canceled.canceledBy, 'alice');
      assert.equal(canceled.reason, 'changed my mind');
      assert.equal(canceled.outcome, 'signaled');
      assert.match(canceled.canceledAt as string, /Z$/);
      const changed = await statusEvent(client, jobId, 'Canceled');
      assert.equal(changed.fromStatus, 'Running');
    }

    // The handler's signal fired in the worker process, with JobCanceledError.
    const aborted = await waitFor(() => worker.messages.find((m) => m.type === 'aborted' && m.jobId === jobId), 'the handler signal to fire');
    assert.equal(aborted.type === 'aborted' && aborted.reason, 'JobCanceledError');
    const stopped = await waitFor(async () => {
      const r = await request(api1.url).get(`/jobs/${jobId}`).set(bearer('alice:acme'));
      return r.body.completedAt ? r.body : undefined;
    }, 'completedAt of the canceled job');
    assert.equal(stopped.status, 'Canceled');
    assert.ok(Date.parse(stopped.completedAt) >= Date.parse(stopped.canceledAt));

    // Exactly once: events published after the cancel by the same processes (Queued by
    // node 2, Completed by the worker) arrive after any copy of the earlier ones would have.
    const barrier = await submit(api2, 'alice:acme', { type: 'test.echo', payload: 'barrier' });
    for (const client of [onNode1, onNode2]) {
      await statusEvent(client, barrier.id as string, 'Queued');
      await statusEvent(client, barrier.id as string, 'Completed');
    }
    for (const client of [onNode1, onNode2]) {
      assert.equal(client.of('job_canceled', jobId).length, 1);
      assert.equal(client.of('job_status_changed', jobId).filter((p) => p.toStatus === 'Canceled').length, 1);
      assert.equal(client.of('job_status_changed', jobId).filter((p) => p.toStatus === 'Running').length, 1);
    }
    const completed = onNode1.of('job_status_changed', barrier.id as string).find((p) => p.toStatus === 'Completed');
    assert.deepEqual(completed?.result, { echo: 'barrier' });
  });

  it('isolation: a user never sees, reads, cancels or subscribes to another user’s job; tenant members read; admins do all', async () => {
    const alice = await connect(api1, 'alice:acme');
    const bob = await connect(api2, 'bob');
    const carol = await connect(api2, 'carol:acme');
    const admin = await connect(api1, 'root::admin');

    const job = await submit(api1, 'alice:acme', { type: 'test.sample', payload: { steps: 3, stepMs: 50 } });
    const jobId = job.id as string;
    await statusEvent(alice, jobId, 'Completed');

    // Bob: 403 on every route of alice's job, a refused subscribe, not in his list.
    for (const [method, path] of [
      ['get', `/jobs/${jobId}`],
      ['get', `/jobs/${jobId}/history`],
      ['post', `/jobs/${jobId}/cancel`],
      ['post', `/jobs/${jobId}/retry`],
    ] as const) {
      const res = await request(api2.url)[method](path).set(bearer('bob'));
      assert.equal(res.status, 403, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, 'Forbidden');
      assert.match(res.body.message, /not allowed/);
    }
    assert.deepEqual(await bob.emitWithAck('subscribe', { jobId }), { ok: false, error: `not allowed to read job ${jobId}` });
    const bobList = await request(api2.url).get('/jobs').set(bearer('bob'));
    assert.equal(bobList.status, 200);
    assert.ok(!bobList.body.items.some((j: { id: string }) => j.id === jobId));

    // Carol (same tenant): reads it, lists it, got its events through the tenant room, may not cancel it.
    assert.equal((await request(api2.url).get(`/jobs/${jobId}`).set(bearer('carol:acme'))).status, 200);
    assert.equal((await request(api2.url).get(`/jobs/${jobId}/history`).set(bearer('carol:acme'))).status, 200);
    const carolList = await request(api2.url).get('/jobs').set(bearer('carol:acme'));
    assert.ok(carolList.body.items.some((j: { id: string }) => j.id === jobId));
    await statusEvent(carol, jobId, 'Completed');
    assert.equal((await request(api2.url).post(`/jobs/${jobId}/cancel`).set(bearer('carol:acme'))).status, 403);
    assert.deepEqual(await carol.emitWithAck('subscribe', { jobId }), { ok: true });

    // Bob's own job, and the barrier for his socket: events from the worker arrive in order.
    const bobsJob = await submit(api2, 'bob', { type: 'test.sample', payload: { steps: 100, stepMs: 100 } });
    const bobsJobId = bobsJob.id as string;
    await statusEvent(bob, bobsJobId, 'Running');
    assert.deepEqual(
      bob.events.filter((e) => e.payload.jobId === jobId),
      [],
      'bob received an event of alice’s job',
    );
    assert.deepEqual(alice.events.filter((e) => e.payload.jobId === bobsJobId), []);
    assert.deepEqual(carol.events.filter((e) => e.payload.jobId === bobsJobId), []);

    // The admin reads and lists everything, subscribes to bob's job and cancels it.
    assert.equal((await request(api1.url).get(`/jobs/${bobsJobId}`).set(bearer('root::admin'))).status, 200);
    const adminList = await request(api1.url).get('/jobs?limit=100').set(bearer('root::admin'));
    const ids = adminList.body.items.map((j: { id: string }) => j.id);
    assert.ok(ids.includes(jobId) && ids.includes(bobsJobId));
    assert.deepEqual(await admin.emitWithAck('subscribe', { jobId: bobsJobId }), { ok: true });
    const canceled = await request(api1.url).post(`/jobs/${bobsJobId}/cancel`).set(bearer('root::admin')).send({});
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
    assert.equal(canceled.body.job.canceledBy, 'root');
    await admin.waitForEvent('job_canceled', (p) => p.jobId === bobsJobId, 'job_canceled on the admin’s subscription');
    await bob.waitForEvent('job_canceled', (p) => p.jobId === bobsJobId, 'job_canceled for bob');
    // After unsubscribe, the admin hears nothing more of it (nothing else routes it to the admin).
    assert.deepEqual(await admin.emitWithAck('unsubscribe', { jobId: bobsJobId }), { ok: true });
  });

  it('refuses a connection without a valid token, and every route without a principal', async () => {
    await assert.rejects(connectClient(api1.url, undefined), /unauthorized/);
    await assert.rejects(connectClient(api2.url, 'not a valid token'), /unauthorized/);
    const someId = '3f0c8a52-6d0e-4a8e-9d7e-0c5b1e2f4a61';
    for (const [method, path] of [
      ['get', '/jobs'],
      ['get', '/jobs/types'],
      ['post', '/jobs'],
      ['get', `/jobs/${someId}`],
      ['get', `/jobs/${someId}/history`],
      ['post', `/jobs/${someId}/cancel`],
      ['post', `/jobs/${someId}/retry`],
    ] as const) {
      const res = await request(api1.url)[method](path).send(method === 'post' ? { type: 'test.echo' } : undefined);
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message', 'statusCode']);
    }
  });
});
