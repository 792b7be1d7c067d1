import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import type { NodeMessage } from '../fixtures/node.js';
import type { TestEnv } from './test-env.js';
import { waitFor } from './wait-for.js';

const NODE_SCRIPT = fileURLToPath(new URL('../fixtures/node.js', import.meta.url));

/** A child process running test/fixtures/node.ts. */
export interface NodeProcess {
  role: 'api' | 'worker';
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` for an API node. */
  url: string;
  /** Everything it reported over IPC. */
  messages: NodeMessage[];
  stop(): Promise<void>;
}

/** Forks a node on the test's schema and Redis prefix and waits until it is ready. */
export async function startNode(role: 'api' | 'worker', env: TestEnv, backend: 'redis' | 'postgres' = 'redis'): Promise<NodeProcess> {
  const child = fork(NODE_SCRIPT, [], {
    env: {
      ...process.env,
      ROLE: role,
      QUEUE_BACKEND: backend,
      DATABASE_URL: env.databaseUrl,
      DB_SCHEMA: env.schema,
      REDIS_URL: env.redisUrl,
      PREFIX: env.prefix,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: NodeMessage[] = [];
  child.on('message', (m: NodeMessage) => messages.push(m));
  const ready = await new Promise<NodeMessage & { type: 'ready' }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role} node did not start within 30 s`)), 30_000);
    child.on('message', (m: NodeMessage) => {
      if (m.type !== 'ready') return;
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${role} node exited with ${code} before it was ready`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    role,
    child,
    url: ready.port ? `http://127.0.0.1:${ready.port}` : '',
    messages,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'shutdown' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A Socket.IO client that records every event it receives. */
export interface TestClient {
  socket: Socket;
  events: { event: string; payload: Record<string, unknown> }[];
  /** Events named `event` about `jobId`. */
  of(event: string, jobId: string): Record<string, unknown>[];
  /** Waits until an event matches. */
  waitForEvent(event: string, match: (payload: Record<string, unknown>) => boolean, what: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  emitWithAck(event: string, body: unknown): Promise<unknown>;
  close(): void;
}

/** Connects to `<url>/jobs` with `auth: { token }`; rejects with the server's `connect_error`. */
export function connectClient(url: string, token: string | undefined, namespace = '/jobs'): Promise<TestClient> {
  const socket = io(`${url}${namespace}`, { auth: token === undefined ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const events: TestClient['events'] = [];
  socket.onAny((event: string, payload: Record<string, unknown>) => events.push({ event, payload }));
  const client: TestClient = {
    socket,
    events,
    of: (event, jobId) => events.filter((e) => e.event === event && e.payload.jobId === jobId).map((e) => e.payload),
    waitForEvent: (event, match, what, timeoutMs = 15_000) =>
      waitFor(() => events.find((e) => e.event === event && match(e.payload))?.payload, what, timeoutMs),
    emitWithAck: (event, body) => socket.timeout(10_000).emitWithAck(event, body),
    close: () => void socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}
