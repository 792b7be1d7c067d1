import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { queueOptions, readConfig, redact } from '../src/app/app-config.js';
import { demoResolvePrincipal } from '../src/app/demo-principal.js';

describe('demo principal resolver (demo only)', () => {
  const resolve = (authorization?: string | string[]) => demoResolvePrincipal({ headers: { authorization } });

  it('reads <userId>, <userId>:<tenantId> and <userId>:<tenantId>:admin', () => {
    assert.deepEqual(resolve('Bearer alice'), { id: 'alice' });
    assert.deepEqual(resolve('Bearer alice:acme'), { id: 'alice', tenantId: 'acme' });
    assert.deepEqual(resolve('Bearer root:acme:admin'), { id: 'root', tenantId: 'acme', roles: ['admin'] });
    assert.deepEqual(resolve('bearer bob'), { id: 'bob' });
    assert.deepEqual(resolve(['Bearer carol', 'Bearer dave']), { id: 'carol' });
  });

  it('is anonymous without a usable bearer token', () => {
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Basic YWxpY2U6eA==', 'Bearer :acme', 'alice']) {
      assert.equal(resolve(header), undefined, String(header));
    }
  });
});

describe('application configuration', () => {
  it('defaults: port 3000, role all, embedded database, queue on PostgreSQL', () => {
    const config = readConfig({});
    assert.deepEqual(config, { port: 3000, databaseUrl: undefined, redisUrl: undefined, queuePrefix: undefined, role: 'all', dataDir: '.data' });
    assert.deepEqual(queueOptions(config, 'postgres://x@h/db'), { backend: 'postgres', url: 'postgres://x@h/db' });
  });

  it('REDIS_URL moves the queue to Redis', () => {
    const config = readConfig({ REDIS_URL: 'redis://r:6379', QUEUE_PREFIX: 'app1', ROLE: 'worker', PORT: '8080' });
    assert.equal(config.role, 'worker');
    assert.equal(config.port, 8080);
    assert.deepEqual(queueOptions(config, 'postgres://x@h/db'), { backend: 'redis', url: 'redis://r:6379', prefix: 'app1' });
  });

  it('refuses a bad ROLE or PORT with a message that says what is allowed', () => {
    assert.throws(() => readConfig({ ROLE: 'both' }), /ROLE must be one of all, api, worker/);
    assert.throws(() => readConfig({ PORT: 'http' }), /PORT must be a port number/);
    assert.throws(() => readConfig({ PORT: '70000' }), /PORT must be a port number/);
  });

  it('never logs a password', () => {
    assert.equal(redact('postgres://app:s3cret@db:5432/jobs'), 'postgres://app:***@db:5432/jobs');
    assert.equal(redact('redis://r:6379'), 'redis://r:6379');
  });
});
