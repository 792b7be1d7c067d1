import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerMessage } from './mp-handlers.js';
import type { TestEnv } from './test-env.js';

const script = fileURLToPath(new URL('../fixtures/worker-process.js', import.meta.url));

/** A worker child process and everything it reported. */
export interface WorkerChild {
  child: ChildProcess;
  pid: number;
  messages: WorkerMessage[];
  /** Resolves once every message the child sent before now has arrived. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `count` worker processes on the test's schema and prefix, and waits until they take jobs. */
export async function startWorkers(env: TestEnv, count: number, concurrency = 10, lockMs = 30_000): Promise<WorkerChild[]> {
  return Promise.all(Array.from({ length: count }, () => startWorker(env, concurrency, lockMs)));
}

function startWorker(env: TestEnv, concurrency: number, lockMs: number): Promise<WorkerChild> {
  const child = fork(script, [], {
    env: { ...process.env, BGJ_SCHEMA: env.schema, BGJ_PREFIX: env.prefix, BGJ_CONCURRENCY: String(concurrency), BGJ_LOCK_MS: String(lockMs) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: WorkerMessage[] = [];
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`worker process exited with ${code} before it was ready`));
    child.once('exit', onExit);
    child.on('message', (message: WorkerMessage) => {
      messages.push(message);
      if (message.type !== 'ready') return;
      child.off('exit', onExit);
      resolve({
        child,
        pid: message.pid,
        messages,
        flush: () =>
          new Promise<void>((done) => {
            const onFlushed = (m: WorkerMessage): void => {
              if (m.type !== 'flushed') return;
              child.off('message', onFlushed);
              done();
            };
            child.on('message', onFlushed);
            child.send({ type: 'flush' });
          }),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.send({ type: 'shutdown' });
          }),
      });
    });
  });
}
