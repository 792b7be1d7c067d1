import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import request from 'supertest';
import { createHttpTestApp, type HttpTestApp } from './support/http-app.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';
import { bearer } from './support/test-principal.js';

const UNKNOWN_ID = '3f0c8a52-6d0e-4a8e-9d7e-0c5b1e2f4a61';
const TOKEN = 'alice:acme';

/** A request and what it must get: one 4xx status and a message saying what is wrong. */
interface BadCase {
  method: 'get' | 'post';
  path: string;
  /** An object is sent as JSON; a string is sent as it is, as `application/json`. */
  body?: unknown;
  contentType?: string;
  status: number;
  message: RegExp;
}

describe('REST API: bad input gets a 4xx that says what is wrong, and writes nothing', () => {
  let env: TestEnv;
  let h: HttpTestApp;
  let queuedJobId: string;

  const rowCounts = async () => {
    const { rows } = await env.pool.query(
      'SELECT (SELECT count(*) FROM background_jobs)::int AS jobs, (SELECT count(*) FROM job_execution_logs)::int AS logs',
    );
    return rows[0] as { jobs: number; logs: number };
  };

  const send = (c: Pick<BadCase, 'method' | 'path' | 'body' | 'contentType'>, token = TOKEN) => {
    let req = request(h.url)[c.method](c.path).set(bearer(token));
    if (typeof c.body === 'string') req = req.set('Content-Type', c.contentType ?? 'application/json').send(c.body);
    else if (c.body !== undefined) req = req.send(c.body as object);
    return req;
  };

  before(async () => {
    env = await createTestEnv('http_input');
    h = await createHttpTestApp(env, {}, undefined, { openApi: true });
    // A job that stays Queued (delayed): retrying it is a conflict.
    const res = await send({ method: 'post', path: '/jobs', body: { type: 'test.echo', delayMs: 3_600_000 } });
    assert.equal(res.status, 201);
    queuedJobId = res.body.id;
  });

  after(async () => {
    await h?.close();
    await env?.cleanup();
  });

  const cases: BadCase[] = [
    // POST /jobs
    { method: 'post', path: '/jobs', status: 400, message: /the body must be a JSON object/ },
    { method: 'post', path: '/jobs', body: '{"type": "test.echo",', status: 400, message: /the body is not valid JSON/ },
    { method: 'post', path: '/jobs', body: '"just a string"', status: 400, message: /not valid JSON/ },
    { method: 'post', path: '/jobs', body: 'type=test.echo', contentType: 'text/plain', status: 400, message: /the body must be a JSON object/ },
    { method: 'post', path: '/jobs', body: [{ type: 'test.echo' }], status: 400, message: /the body must be a JSON object/ },
    { method: 'post', path: '/jobs', body: {}, status: 400, message: /^type: must be a string/ },
    { method: 'post', path: '/jobs', body: { type: 42 }, status: 400, message: /^type: must be a string/ },
    { method: 'post', path: '/jobs', body: { type: '' }, status: 400, message: /^type: Too small/ },
    { method: 'post', path: '/jobs', body: { type: 'x'.repeat(201) }, status: 400, message: /^type: Too big/ },
    { method: 'post', path: '/jobs', body: { type: 'no.such.type' }, status: 400, message: /Unknown job type "no.such.type"/ },
    { method: 'post', path: '/jobs', body: { type: 'test.echo', priority: 'Urgent' }, status: 400, message: /^priority: Invalid option: expected one of "Low"/ },
    { method: 'post', path: '/jobs', body: { type: 'test.echo', delayMs: -1 }, status: 400, message: /^delayMs: Too small/ },
    { method: 'post', path: '/jobs', body: { type: 'test.echo', delayMs: 1.5 }, status: 400, message: /^delayMs: .*int/ },
    { method: 'post', path: '/jobs', body: { type: 'test.echo', delayMs: '100' }, status: 400, message: /^delayMs: .*expected number, received string/ },
    { method: 'post', path: '/jobs', body: { type: 'test.echo', delayMs: 1e15 }, status: 400, message: /^delayMs: Too big/ },
    { method: 'post', path: '/jobs', body: { type: 'test.echo', dependsOn: 'job-1' }, status: 400, message: /^dependsOn: must be a job id/ },
    { method: 'post', path: '/jobs', body: { type: 'test.echo', ownerId: 'mallory' }, status: 400, message: /Unrecognized key: "ownerId"/ },
    { method: 'post', path: '/jobs', body: { type: 'test.echo', payload: 'x'.repeat(300 * 1024) }, status: 413, message: /payload is \d+ bytes as JSON; at most 262144/ },
    { method: 'post', path: '/jobs', body: JSON.stringify({ type: 'test.echo', payload: 'x'.repeat(400 * 1024) }), status: 413, message: /request body is larger than the \d+ bytes/ },
    // GET /jobs/:id and the other :id routes
    ...['abc', '1', "1' OR '1'='1", `${UNKNOWN_ID}x`, UNKNOWN_ID.replace(/-/g, '')].flatMap((id): BadCase[] => [
      { method: 'get', path: `/jobs/${encodeURIComponent(id)}`, status: 400, message: /the id in the path must be a job id/ },
      { method: 'get', path: `/jobs/${encodeURIComponent(id)}/history`, status: 400, message: /the id in the path must be a job id/ },
      { method: 'post', path: `/jobs/${encodeURIComponent(id)}/cancel`, status: 400, message: /the id in the path must be a job id/ },
      { method: 'post', path: `/jobs/${encodeURIComponent(id)}/retry`, status: 400, message: /the id in the path must be a job id/ },
    ]),
    { method: 'get', path: '/jobs/%E0%A4%A', status: 400, message: /./ },
    { method: 'get', path: `/jobs/${UNKNOWN_ID}`, status: 404, message: new RegExp(`Job ${UNKNOWN_ID} not found`) },
    { method: 'get', path: `/jobs/${UNKNOWN_ID}/history`, status: 404, message: /not found/ },
    { method: 'post', path: `/jobs/${UNKNOWN_ID}/cancel`, status: 404, message: /not found/ },
    { method: 'post', path: `/jobs/${UNKNOWN_ID}/retry`, status: 404, message: /not found/ },
    // cancel bodies
    { method: 'post', path: `/jobs/${UNKNOWN_ID}/cancel`, body: { reason: 5 }, status: 400, message: /^reason: .*expected string/ },
    { method: 'post', path: `/jobs/${UNKNOWN_ID}/cancel`, body: { reason: 'x'.repeat(1001) }, status: 400, message: /^reason: Too big/ },
    { method: 'post', path: `/jobs/${UNKNOWN_ID}/cancel`, body: { reason: 'ok', by: 'mallory' }, status: 400, message: /Unrecognized key: "by"/ },
    { method: 'post', path: `/jobs/${UNKNOWN_ID}/cancel`, body: ['x'], status: 400, message: /the body must be a JSON object/ },
    // GET /jobs
    ...['0', '101', '-1', 'abc', '1.5', '1e2', ''].map((limit): BadCase => ({ method: 'get', path: `/jobs?limit=${limit}`, status: 400, message: /^limit: must be/ })),
    { method: 'get', path: '/jobs?limit=1&limit=2', status: 400, message: /^limit: must be given once/ },
    { method: 'get', path: '/jobs?offset=-5', status: 400, message: /^offset: must be a whole number/ },
    { method: 'get', path: '/jobs?offset=99999999999', status: 400, message: /^offset: must be/ },
    { method: 'get', path: '/jobs?status=Done', status: 400, message: /^status: Invalid option/ },
    { method: 'get', path: '/jobs?ownerId=bob', status: 400, message: /Unrecognized key: "ownerId"/ },
  ];

  it('refuses each bad request with the right status and a message, writing nothing', async () => {
    const before = await rowCounts();
    for (const c of cases) {
      const res = await send(c);
      const label = `${c.method.toUpperCase()} ${c.path.slice(0, 80)} ${typeof c.body === 'string' ? c.body.slice(0, 40) : JSON.stringify(c.body)?.slice(0, 60)}`;
      assert.equal(res.status, c.status, `${label}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message', 'statusCode'], label);
      assert.equal(res.body.statusCode, c.status, label);
      assert.equal(typeof res.body.error, 'string', label);
      assert.match(res.body.message, c.message, label);
    }
    assert.deepEqual(await rowCounts(), before);
  });

  it('retrying a job that is not DeadLetter is a 409 that changes nothing', async () => {
    const before = await rowCounts();
    const res = await send({ method: 'post', path: `/jobs/${queuedJobId}/retry` });
    assert.equal(res.status, 409);
    assert.deepEqual(res.body, {
      statusCode: 409,
      error: 'Conflict',
      message: `Job ${queuedJobId} is Queued; only DeadLetter jobs can be retried`,
    });
    assert.deepEqual(await rowCounts(), before);
  });

  it('accepts a payload just under 256 KiB and serves /jobs/types before /jobs/:id', async () => {
    const ok = await send({ method: 'post', path: '/jobs', body: { type: 'test.echo', payload: 'x'.repeat(250 * 1024), delayMs: 3_600_000 } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body).slice(0, 300));
    assert.match(ok.body.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const types = await send({ method: 'get', path: '/jobs/types' });
    assert.equal(types.status, 200);
    const echo = types.body.find((t: { type: string }) => t.type === 'test.echo');
    assert.deepEqual(
      { enabled: echo.enabled, maxRetries: echo.maxRetries, timeoutSeconds: echo.timeoutSeconds, priority: echo.priority },
      { enabled: true, maxRetries: 5, timeoutSeconds: 300, priority: 'Normal' },
    );
    const page = await send({ method: 'get', path: '/jobs?limit=1&offset=0&type=test.echo&status=Queued' });
    assert.equal(page.status, 200);
    assert.deepEqual({ limit: page.body.limit, offset: page.body.offset, total: page.body.total, n: page.body.items.length }, { limit: 1, offset: 0, total: 2, n: 1 });
    assert.equal((await send({ method: 'get', path: '/jobs' })).body.limit, 20);
  });

  it('list scopes (anyOf) are an OR of owner/tenant conditions; an empty or contradicting scope matches nothing', async () => {
    const make = (ownerId: string, tenantId?: string) => h.service.enqueue('test.echo', null, { ownerId, tenantId, delayMs: 3_600_000 });
    const [x1, x2, x3] = [await make('x1', 't9'), await make('x2', 't9'), await make('x3')];
    const ids = async (filter: Parameters<typeof h.service.list>[0]) => (await h.service.list({ limit: 100, ...filter })).items.map((j) => j.id).sort();
    assert.deepEqual(await ids({ anyOf: [{ ownerId: 'x3' }, { tenantId: 't9' }] }), [x1.id, x2.id, x3.id].sort());
    assert.deepEqual(await ids({ anyOf: [{ ownerId: 'x3' }, { tenantId: 't9' }], ownerId: 'x2' }), [x2.id]);
    assert.deepEqual(await ids({ anyOf: [{ ownerId: 'x3' }], ownerId: 'x1' }), []);
    assert.deepEqual(await ids({ anyOf: [{}, { ownerId: undefined }] }), []);
    assert.deepEqual(await ids({ anyOf: [] }), []);
  });

  it('property: no generated body makes POST /jobs answer 5xx', async () => {
    const jobType = fc.oneof(fc.constantFrom('test.echo', 'test.nope', '', 'test.echo '), fc.string(), fc.integer(), fc.constant(null));
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          type: jobType,
          payload: fc.jsonValue(),
          priority: fc.oneof(fc.constantFrom('Low', 'Normal', 'High', 'Critical'), fc.jsonValue()),
          delayMs: fc.oneof(fc.integer({ min: 3_600_000, max: 7_200_000 }), fc.jsonValue()),
          dependsOn: fc.oneof(fc.uuid(), fc.jsonValue()),
        },
        { requiredKeys: ['type'] },
      ),
      fc.dictionary(fc.string(), fc.jsonValue()),
    );
    const raw = fc.oneof(
      body.map((b) => JSON.stringify(b) ?? 'null'),
      fc.string(), // mostly not JSON at all
    );
    await fc.assert(
      fc.asyncProperty(raw, async (text) => {
        const res = await send({ method: 'post', path: '/jobs', body: text });
        assert.ok(res.status < 500, `${res.status} for ${text.slice(0, 200)}: ${JSON.stringify(res.body)}`);
        if (res.status >= 400) {
          assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message', 'statusCode']);
          assert.ok(typeof res.body.message === 'string' && res.body.message.length > 0);
        } else {
          assert.equal(res.status, 201);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('serves the OpenAPI document with every route and the request schemas', async () => {
    const res = await request(h.url).get('/docs-json');
    assert.equal(res.status, 200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    for (const [path, method] of [
      ['/jobs', 'post'],
      ['/jobs', 'get'],
      ['/jobs/types', 'get'],
      ['/jobs/{id}', 'get'],
      ['/jobs/{id}/cancel', 'post'],
      ['/jobs/{id}/retry', 'post'],
      ['/jobs/{id}/history', 'get'],
    ]) {
      assert.ok(paths[path]?.[method], `${method} ${path} is documented`);
    }
    const submit = JSON.stringify(paths['/jobs'].post);
    assert.match(submit, /requestBody/);
    assert.match(JSON.stringify(res.body), /"delayMs"/);
    const listParams = (paths['/jobs'].get as { parameters: { name: string }[] }).parameters.map((p) => p.name);
    assert.deepEqual(listParams.sort(), ['limit', 'offset', 'status', 'type']);
    assert.equal((await request(h.url).get('/docs')).status, 200);
  });
});
