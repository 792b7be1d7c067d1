import assert from 'node:assert/strict';
import { Injectable } from '@nestjs/common';
import { after, before, describe, it } from 'node:test';
import { DuplicateJobHandlerError, InvalidJobHandlerError, JobHandler, JobHandlerRegistry, type JobContext } from '../src/index.js';
import { createTestApp } from './support/test-app.js';
import { TestHandlers } from './support/test-handlers.js';
import { createTestEnv, type TestEnv } from './support/test-env.js';

@Injectable()
class ReportJobs {
  @JobHandler('report.generate', { timeoutSeconds: 600, maxRetries: 3, priority: 'High' })
  async generate(ctx: JobContext<{ month: string }>): Promise<unknown> {
    return ctx.payload.month;
  }
}

@Injectable()
class MoreReportJobs {
  @JobHandler('report.generate')
  async again(): Promise<unknown> {
    return null;
  }
}

@Injectable()
class PropertyHandler {
  @JobHandler('not.a.method')
  handler: string = 'oops';
}

describe('handler discovery at start-up', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv('discovery');
  });
  after(async () => {
    await env?.cleanup();
  });

  it('finds @JobHandler methods with their options and defaults', async () => {
    const app = await createTestApp(env, { worker: { enabled: false } }, [ReportJobs, TestHandlers]);
    try {
      const handler = app.module.get(JobHandlerRegistry).get('report.generate');
      assert.equal(handler.name, 'ReportJobs.generate');
      assert.equal(handler.timeoutSeconds, 600);
      assert.equal(handler.maxRetries, 3);
      assert.equal(handler.priority, 'High');
      const echo = app.module.get(JobHandlerRegistry).get('test.echo');
      assert.equal(echo.timeoutSeconds, 300);
      assert.equal(echo.maxRetries, 5);
      assert.equal(echo.priority, 'Normal');
    } finally {
      await app.close();
    }
  });

  it('refuses two handlers for one type, naming both', async () => {
    await assert.rejects(
      createTestApp(env, { worker: { enabled: false } }, [ReportJobs, MoreReportJobs]),
      (error: unknown) =>
        error instanceof DuplicateJobHandlerError &&
        /ReportJobs\.generate/.test(error.message) &&
        /MoreReportJobs\.again/.test(error.message),
    );
  });

  it('refuses @JobHandler on something that is not a method', async () => {
    await assert.rejects(
      createTestApp(env, { worker: { enabled: false } }, [PropertyHandler]),
      (error: unknown) => error instanceof InvalidJobHandlerError && /PropertyHandler\.handler/.test(error.message),
    );
  });
});
