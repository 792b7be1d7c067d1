import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, restClient, startApp, waitForHealth, type AppProcess } from './support/app-process.js';
import { waitFor } from './support/wait-for.js';

/** `npm install` on a fresh clone, then the first TypeScript build: bounded, but generous. */
const INSTALL_AND_START_TIMEOUT_MS = 8 * 60_000;
const START_TIMEOUT_MS = 2 * 60_000;

/**
 * The README's promise, from a fresh clone of the committed HEAD: `npm install && npm start`
 * with no DATABASE_URL and no REDIS_URL runs the app on an embedded PostgreSQL.
 */
describe('fresh clone: npm install && npm start, embedded PostgreSQL', { timeout: 15 * 60_000 }, () => {
  let dir: string;
  let repo: string;
  let running: AppProcess | undefined;
  // No external servers: the app must bring its own database and queue.
  const env = { DATABASE_URL: undefined, REDIS_URL: undefined, ROLE: undefined, QUEUE_PREFIX: undefined, DATA_DIR: undefined };
  const lockFile = () => join(repo, '.data', 'postgres', 'postmaster.pid');
  const serverPid = (): number | null => (existsSync(lockFile()) ? Number(readFileSync(lockFile(), 'utf8').split('\n')[0]) : null);
  const isAlive = (pid: number | null) => {
    if (!pid) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  /** The application's node process (npm and sh sit between it and us): Nest logs its pid. */
  const appPid = (): number => Number(/\[Nest\] (\d+)/.exec(running!.output())?.[1]);

  const start = async (command: string, timeoutMs: number): Promise<string> => {
    const port = await freePort();
    running = startApp({ ...env, PORT: String(port) }, { command: ['sh', '-c', command], cwd: repo });
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(base, running, timeoutMs);
    return base;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bgjobs-clone-'));
    // As root, the embedded server runs as the OS user `postgres`, which must reach ./.data.
    chmodSync(dir, 0o755);
    repo = join(dir, 'repo');
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    execFileSync('git', ['clone', '--quiet', process.cwd(), repo]);
    execFileSync('git', ['-C', repo, 'checkout', '--quiet', '--detach', head]);
  });

  after(async () => {
    await running?.stop('SIGKILL');
    const pid = serverPid();
    if (isAlive(pid)) process.kill(pid!, 'SIGINT');
    await waitFor(() => !isAlive(pid), 'the embedded server to stop', 30_000).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  let jobId: string;

  it('installs and starts, and runs a sample_job to Completed over REST', async () => {
    const base = await start('npm install --no-audit --no-fund && npm start', INSTALL_AND_START_TIMEOUT_MS);
    assert.match(running!.output(), /role all: listening on http:\/\/localhost:\d+ · database embedded PostgreSQL .* · queue PostgreSQL/);
    const rest = restClient(base, 'newcomer');
    const job = await rest.submit('sample_job', { steps: 3, stepMs: 50 });
    jobId = job.id;
    const done = await rest.waitStatus(job.id, 'Completed');
    assert.equal(done.progress, 100);
  });

  it('Ctrl-C (SIGINT) stops the app and its PostgreSQL cleanly', async () => {
    const pid = serverPid();
    const node = appPid();
    assert.ok(isAlive(pid), 'the embedded server runs');
    // Like Ctrl-C in a terminal: SIGINT to the whole foreground group (sh, npm, node).
    await running!.stop('SIGINT');
    await waitFor(() => !isAlive(node), 'the app to exit', 30_000);
    assert.match(running!.output(), /SIGINT: shutting down/);
    await waitFor(() => !isAlive(pid) && !existsSync(lockFile()), 'the server to stop and remove its lock', 30_000);
    assert.match(readFileSync(join(repo, '.data', 'postgres.log'), 'utf8'), /database system is shut down/);
  });

  it('a second start reuses the data: the job is still there', async () => {
    const base = await start('npm start', START_TIMEOUT_MS);
    const job = await restClient(base, 'newcomer').get(jobId);
    assert.equal(job.status, 'Completed');
  });

  it('after a killed run (stale lock, orphaned server), the next start recovers', async () => {
    const orphan = serverPid();
    await running!.stop('SIGKILL');
    assert.ok(isAlive(orphan) && existsSync(lockFile()), 'the killed run left its server and lock behind');
    const base = await start('npm start', START_TIMEOUT_MS);
    assert.equal((await restClient(base, 'newcomer').get(jobId)).status, 'Completed');
    assert.notEqual(serverPid(), orphan);
    assert.equal(isAlive(orphan), false);
    const node = appPid();
    const server = serverPid();
    await running!.stop('SIGINT');
    await waitFor(() => !isAlive(node) && !isAlive(server) && !existsSync(lockFile()), 'the app and its server to stop', 30_000);
  });
});
