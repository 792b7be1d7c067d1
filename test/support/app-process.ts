import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { DATABASE_URL } from './test-env.js';
import { WaitAbortedError, waitFor } from './wait-for.js';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A database of its own on the shared server, for tests that run the application as a process. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `bgj_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** The bundled application running as a child process. */
export interface AppProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves when it printed something matching `pattern`. */
  waitForOutput(pattern: RegExp, what: string, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and resolves with the exit code when it has exited (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/** Starts `command` (default: the compiled application) with `env` added to this process's environment. */
export function startApp(
  env: Record<string, string | undefined>,
  opts: { command?: string[]; cwd?: string } = {},
): AppProcess {
  const [cmd, ...args] = opts.command ?? [process.execPath, 'build/src/app/main.js'];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  // Its own process group, so that stop() reaches npm and the node process it starts.
  const child = spawn(cmd, args, { cwd: opts.cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (process.env.TEST_LOGS) {
    child.stdout?.pipe(process.stderr);
    child.stderr?.pipe(process.stderr);
  }
  return {
    child,
    output: () => out,
    waitForOutput: (pattern, what, timeoutMs = 60_000) =>
      waitFor(() => {
        if (child.exitCode !== null) throw new WaitAbortedError(`exited with ${child.exitCode}:\n${out.slice(-3000)}`);
        return pattern.test(out);
      }, what, timeoutMs, 100).then(() => undefined),
    async stop(signal = 'SIGINT', timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        return child.exitCode;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }, timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Waits until `GET base/health` answers 200. */
export async function waitForHealth(base: string, app: AppProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      if (app.child.exitCode !== null) throw new WaitAbortedError(`the app exited with ${app.child.exitCode}:\n${app.output().slice(-3000)}`);
      const res = await fetch(`${base}/health`).catch(() => undefined);
      return res?.ok === true;
    },
    `${base}/health`,
    timeoutMs,
    200,
  );
}

/** A small REST client for the contract's routes. */
export function restClient(base: string, token: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    call,
    async submit(type: string, payload?: unknown): Promise<{ id: string; status: string }> {
      const res = await call('POST', '/jobs', { type, payload });
      if (res.status !== 201) throw new Error(`POST /jobs: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async get(id: string): Promise<Record<string, unknown> & { id: string; status: string; progress: number }> {
      const res = await call('GET', `/jobs/${id}`);
      if (res.status !== 200) throw new Error(`GET /jobs/${id}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    waitStatus(id: string, status: string, timeoutMs = 30_000) {
      return waitFor(async () => {
        const job = await this.get(id);
        return job.status === status ? job : undefined;
      }, `job ${id} to be ${status}`, timeoutMs, 100);
    },
  };
}
