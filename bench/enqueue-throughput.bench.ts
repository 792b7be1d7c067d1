// Throughput, side by side in one run: raw BullMQ vs nest-background-jobs on the same
// Redis and PostgreSQL. `npm run bench` (BENCH_JOBS, BENCH_CONCURRENCY to change the load).
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { filter, firstValueFrom, scan } from 'rxjs';
import { JobEventBus, JobHandler } from '../src/index.js';
import { createTestApp } from '../test/support/test-app.js';
import { createTestEnv } from '../test/support/test-env.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
/** How many enqueues are in flight at once, as a busy API would have them. */
const IN_FLIGHT = 50;

@Injectable()
class BenchHandlers {
  @JobHandler('bench.noop', { maxRetries: 0 })
  async noop(): Promise<unknown> {
    return null;
  }
}

async function inBatches(count: number, add: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await add(next++);
    }),
  );
}

async function rawBullmq(prefix: string): Promise<number> {
  const connection = { host: '127.0.0.1', port: 6379 };
  const queue = new Queue('bench-raw', { connection, prefix });
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const worker = new Worker('bench-raw', async () => null, { connection, prefix, concurrency: CONCURRENCY });
  worker.on('completed', () => {
    if (++done === JOBS) finish();
  });
  await worker.waitUntilReady();
  const started = performance.now();
  await inBatches(JOBS, (i) => queue.add('noop', { i }, { removeOnComplete: true }));
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return JOBS / seconds;
}

async function engine(): Promise<{ total: number; enqueue: number }> {
  const env = await createTestEnv('bench');
  const app = await createTestApp(env, { worker: { enabled: true, concurrency: CONCURRENCY } }, [BenchHandlers]);
  try {
    const completed = firstValueFrom(
      app.module.get(JobEventBus).events$.pipe(
        filter((e) => e.kind === 'status' && e.toStatus === 'Completed'),
        scan((n) => n + 1, 0),
        filter((n) => n === JOBS),
      ),
    );
    const started = performance.now();
    await inBatches(JOBS, () => app.service.enqueue('bench.noop', { bench: true }));
    const enqueued = performance.now();
    await completed;
    const total = (performance.now() - started) / 1000;
    return { total: JOBS / total, enqueue: JOBS / ((enqueued - started) / 1000) };
  } finally {
    await app.close();
    await env.cleanup();
  }
}

const raw = await rawBullmq(`bgj-bench-raw-${process.pid}`);
const ours = await engine();
console.log(`\n${JOBS} no-op jobs, worker concurrency ${CONCURRENCY}, ${IN_FLIGHT} enqueues in flight`);
console.table([
  { system: 'raw BullMQ (Redis only)', 'jobs/s end to end': Math.round(raw) },
  {
    system: 'nest-background-jobs (Redis + PostgreSQL records and audit)',
    'jobs/s end to end': Math.round(ours.total),
    'enqueue/s': Math.round(ours.enqueue),
  },
]);
