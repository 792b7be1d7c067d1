import assert from 'node:assert/strict';
import { ALLOWED_TRANSITIONS, type BackgroundJobsService, type JobStatus } from '../../src/index.js';

/**
 * The audit rows of a job replay to its current status: the first row creates it
 * as Pending, each row starts where the previous ended, every step is an allowed
 * transition, and the last row ends at the job's status. Returns the statuses.
 */
export async function assertAuditReplays(service: BackgroundJobsService, jobId: string): Promise<JobStatus[]> {
  const [job, rows] = await Promise.all([service.get(jobId), service.history(jobId)]);
  assert.ok(rows.length > 0, `job ${jobId} has no audit rows`);
  assert.equal(rows[0].fromStatus, null, `first audit row of ${jobId} is not a creation`);
  assert.equal(rows[0].toStatus, 'Pending');
  for (let i = 1; i < rows.length; i++) {
    const from = rows[i].fromStatus as JobStatus;
    assert.equal(from, rows[i - 1].toStatus, `audit rows of ${jobId} do not chain at row ${i}`);
    assert.ok(ALLOWED_TRANSITIONS[from].includes(rows[i].toStatus), `forbidden ${from} -> ${rows[i].toStatus} in ${jobId}`);
  }
  assert.equal(rows[rows.length - 1].toStatus, job.status, `audit of ${jobId} does not end at its status`);
  return rows.map((r) => r.toStatus);
}
