import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Server } from 'socket.io';
import { createRealtimeTransport, type QueueOptions, type RealtimeTransport } from '../src/index.js';
import { connectClient, type TestClient } from './support/nodes.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';

/**
 * The transport seam on its own, for both queue backends: two Socket.IO servers with
 * the adapter and a third process-like emitter, all on one queue's scope.
 */
for (const backend of ['redis', 'postgres'] as const) {
  describe(`realtime transport on ${backend}: adapter and emitter deliver once, within the queue's scope`, () => {
    let env: TestEnv;
    const transports: RealtimeTransport[] = [];
    const servers: { io: Server; http: HttpServer; url: string }[] = [];
    const clients: TestClient[] = [];

    const queue = (scope: string): QueueOptions =>
      backend === 'redis' ? { backend, url: env.redisUrl, prefix: `${env.prefix}${scope}` } : { backend, url: env.databaseUrl, schema: `${env.schema}${scope}` };
    const transport = (scope = ''): RealtimeTransport => {
      const t = createRealtimeTransport(queue(scope));
      transports.push(t);
      return t;
    };
    /** A Socket.IO server whose sockets join the rooms they ask for (the gateway's job, simplified). */
    const startServer = async () => {
      const http = createServer();
      const io = new Server(http);
      const nsp = io.of('/jobs');
      nsp.on('connection', (socket) => void socket.join(String(socket.handshake.auth.token).split(',')));
      await transport().installAdapter(nsp);
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const server = { io, http, url: `http://127.0.0.1:${(http.address() as { port: number }).port}` };
      servers.push(server);
      return server;
    };
    const connect = async (url: string, rooms: string) => {
      const c = await connectClient(url, rooms);
      clients.push(c);
      return c;
    };

    before(async () => {
      env = await createTestEnv(`transport_${backend}`);
    });

    after(async () => {
      for (const c of clients) c.close();
      for (const s of servers) await s.io.close();
      await Promise.all(transports.map((t) => t.close()));
      if (backend === 'postgres') await env.pool.query(`DROP SCHEMA IF EXISTS "${env.schema}_other" CASCADE`);
      await env?.cleanup();
    });

    it('a broadcast from one server and one from the emitter reach sockets on both servers, once each', async () => {
      const [a, b] = [await startServer(), await startServer()];
      const alice = await connect(a.url, 'user:alice');
      const team = await connect(b.url, 'tenant:acme,job:j1');
      // The adapters subscribe asynchronously; wait until a probe from each side gets through.
      await waitUntilDelivered(a.io, alice, team);

      a.io.of('/jobs').to(['user:alice', 'tenant:acme', 'job:j1']).emit('job_progress', { jobId: 'j1', n: 1 });
      const emitter = await transport().createEmitter('/jobs');
      const big = 'x'.repeat(20_000); // beyond PostgreSQL's NOTIFY limit: travels through the attachments table
      emitter.emit(['user:alice', 'tenant:acme', 'job:j1'], 'job_status_changed', { jobId: 'j1', n: 2, big });
      emitter.emit(['user:bob'], 'job_status_changed', { jobId: 'j2', n: 3 });
      // Another application's scope: never heard here.
      (await transport('_other').createEmitter('/jobs')).emit(['user:alice', 'tenant:acme'], 'job_status_changed', { jobId: 'j3', n: 4 });
      emitter.emit(['user:alice', 'tenant:acme'], 'barrier', { jobId: 'barrier' });

      for (const c of [alice, team]) {
        await c.waitForEvent('barrier', () => true, 'the barrier event');
        const got = c.events.filter((e) => e.event !== 'probe' && e.event !== 'barrier').map((e) => e.payload.n);
        assert.deepEqual(got, [1, 2]);
        assert.equal(c.events.find((e) => e.payload.n === 2)?.payload.big, big);
      }
    });
  });
}

/** Sends probes from `io` until both clients received one: the adapters' subscriptions are live. */
async function waitUntilDelivered(io: Server, ...clients: TestClient[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let i = 0; ; i++) {
    io.of('/jobs').emit('probe', { i });
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (clients.every((c) => c.events.some((e) => e.event === 'probe'))) break;
    if (Date.now() > deadline) throw new Error('the adapters never delivered a probe');
  }
  // Drop the probes so that the assertions see only the events under test.
  for (const c of clients) c.events.splice(0, c.events.length, ...c.events.filter((e) => e.event !== 'probe'));
}
