import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createHttpTestApp, type HttpTestApp } from './support/http-app.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';
import { bearer } from './support/test-principal.js';
import { waitFor } from './support/wait-for.js';

const ADMIN = 'root::admin';
const UNKNOWN_ID = '3f0c8a52-6d0e-4a8e-9d7e-0c5b1e2f4a61';

describe('admin routes: DELETE /jobs/:id and POST /jobs/dead-letter/retry', () => {
  let env: TestEnv;
  let h: HttpTestApp;

  const submit = async (token: string, type: string, payload?: unknown): Promise<string> => {
    const res = await request(h.url).post('/jobs').set(bearer(token)).send({ type, payload });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  };
  const statusOf = async (id: string) => (await h.service.get(id)).status;
  const waitStatus = (id: string, status: string) => waitFor(async () => (await statusOf(id)) === status, `${id} to be ${status}`);
  const logRows = async (id: string) =>
    ((await env.pool.query('SELECT count(*)::int AS n FROM job_execution_logs WHERE job_id = $1', [id])).rows[0] as { n: number }).n;

  before(async () => {
    env = await createTestEnv('admin_routes');
    h = await createHttpTestApp(env);
  });

  after(async () => {
    await h?.close();
    await env?.cleanup();
  });

  it('an admin deletes a finished job with its history; the owner may not; a running job is a 409', async () => {
    const done = await submit('alice', 'test.echo', 1);
    await waitStatus(done, 'Completed');
    assert.ok((await logRows(done)) > 0);

    const owner = await request(h.url).delete(`/jobs/${done}`).set(bearer('alice'));
    assert.equal(owner.status, 403);
    assert.match(owner.body.message, /needs role admin/);
    const stranger = await request(h.url).delete(`/jobs/${done}`).set(bearer('mallory'));
    assert.equal(stranger.status, 403);
    assert.equal((await request(h.url).delete(`/jobs/${done}`)).status, 401);

    // Running, then Canceled while its handler (which ignores its signal) still runs: both 409.
    const running = await submit('alice', 'test.stubborn');
    await h.probe.when('entered', running);
    const busy = await request(h.url).delete(`/jobs/${running}`).set(bearer(ADMIN));
    assert.equal(busy.status, 409);
    assert.match(busy.body.message, /only finished jobs/);
    await h.service.cancel(running);
    await h.probe.when('aborted', running);
    const stillRunning = await request(h.url).delete(`/jobs/${running}`).set(bearer(ADMIN));
    assert.equal(stillRunning.status, 409);
    assert.match(stillRunning.body.message, /handler is still running/);
    h.probe.release(running);
    await waitFor(async () => (await h.service.get(running)).completedAt, 'the canceled handler to return');

    const deleted = await request(h.url).delete(`/jobs/${done}`).set(bearer(ADMIN));
    assert.equal(deleted.status, 204);
    assert.equal((await request(h.url).get(`/jobs/${done}`).set(bearer(ADMIN))).status, 404);
    assert.equal(await logRows(done), 0);
    assert.equal((await request(h.url).delete(`/jobs/${running}`).set(bearer(ADMIN))).status, 204);

    assert.equal((await request(h.url).delete(`/jobs/${UNKNOWN_ID}`).set(bearer(ADMIN))).status, 404);
    const malformed = await request(h.url).delete('/jobs/not-an-id').set(bearer(ADMIN));
    assert.equal(malformed.status, 400);
  });

  it('an admin retries dead letters in bulk, by ids or by type; others get 403', async () => {
    const dead = [await submit('alice', 'test.permanent'), await submit('bob', 'test.permanent')];
    const other = await submit('alice', 'test.flaky', { succeedOn: 99 });
    await Promise.all([...dead, other].map((id) => waitStatus(id, 'DeadLetter')));

    const denied = await request(h.url).post('/jobs/dead-letter/retry').set(bearer('alice')).send({});
    assert.equal(denied.status, 403);
    const bad = await request(h.url).post('/jobs/dead-letter/retry').set(bearer(ADMIN)).send({ ids: ['nope'] });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /ids\.0/);

    const byType = await request(h.url).post('/jobs/dead-letter/retry').set(bearer(ADMIN)).send({ type: 'test.permanent' });
    assert.equal(byType.status, 200);
    assert.deepEqual(byType.body, { retried: 2 });
    await Promise.all(dead.map((id) => waitFor(async () => h.probe.record(id).entered === 2 && (await statusOf(id)) === 'DeadLetter', `${id} to run again`)));
    assert.equal(await statusOf(other), 'DeadLetter', 'a job of another type stays');

    const byIds = await request(h.url).post('/jobs/dead-letter/retry').set(bearer(ADMIN)).send({ ids: [other, UNKNOWN_ID] });
    assert.deepEqual(byIds.body, { retried: 1 });
    const history = await h.service.history(other);
    assert.ok(history.some((r) => r.fromStatus === 'DeadLetter' && r.toStatus === 'Queued' && r.actor === 'root'));
  });
});
