import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { BackgroundJob } from '../entities/background-job.entity.js';
import { DatabaseUnavailableError, isConnectionError } from '../errors/service-errors.js';
import { JobEventBus } from '../events/job-event.bus.js';
import { ALLOWED_TRANSITIONS, type JobStatus } from '../job-status.js';

/** Fields a transition or update may set besides `status`. */
export type JobPatch = Partial<Omit<BackgroundJob, 'id' | 'status' | 'createdAt' | 'updatedAt'>>;

/** Who makes a change and why, for the audit row. */
export interface ChangeAudit {
  actor: string;
  message?: string | null;
}

/** A transition that happened. */
export interface Transition {
  job: BackgroundJob;
  fromStatus: JobStatus;
}

/**
 * Every status change of a job goes through here. Each change is one SQL statement
 * that locks the row, checks the current status against the allowed sources,
 * updates it and writes the audit row, so no race can make a transition the
 * state machine forbids or skip its audit row. The event is published after the
 * statement committed.
 */
@Injectable()
export class JobTransitionStore {
  private readonly columns: { property: string; column: string }[];
  private readonly selectList: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: JobEventBus,
  ) {
    this.columns = dataSource
      .getMetadata(BackgroundJob)
      .columns.map((c) => ({ property: c.propertyName, column: c.databaseName }));
    this.selectList = this.columns.map((c) => `"${c.column}" AS "${c.property}"`).join(', ');
  }

  /** Inserts a new job as `Pending`, with its first audit row. */
  async create(job: JobPatch & { id: string; status: 'Pending' }, audit: ChangeAudit, manager?: EntityManager): Promise<BackgroundJob> {
    const entries = Object.entries(job).filter(([, v]) => v !== undefined);
    const params: unknown[] = [];
    const cols = entries.map(([k]) => `"${this.column(k)}"`).join(', ');
    const values = entries.map(([k, v]) => this.param(params, k, v)).join(', ');
    const actor = this.param(params, 'actor', audit.actor);
    const message = this.param(params, 'message', audit.message ?? null);
    const rows = await this.run(
      manager,
      `WITH ins AS (INSERT INTO background_jobs (${cols}) VALUES (${values}) RETURNING *),
       log AS (INSERT INTO job_execution_logs (job_id, tenant_id, from_status, to_status, actor, message, retry_attempt)
               SELECT id, tenant_id, NULL, status, ${actor}, ${message}, retry_count FROM ins)
       SELECT ${this.selectList} FROM ins`,
      params,
    );
    const created = this.toEntity(rows[0]);
    if (!manager) this.events.publish({ kind: 'status', job: created, fromStatus: null, toStatus: 'Pending' });
    return created;
  }

  /**
   * Moves the job to `to` if its status is one of `from` (and, with a guard, its
   * current queue job is `guard.queueJobId`); otherwise changes nothing and returns
   * null. Throws on a transition the state machine forbids.
   */
  async transition(
    jobId: string,
    from: readonly JobStatus[],
    to: JobStatus,
    patch: JobPatch,
    audit: ChangeAudit,
    guard: { queueJobId?: string } = {},
  ): Promise<Transition | null> {
    const forbidden = from.filter((f) => !ALLOWED_TRANSITIONS[f].includes(to));
    if (forbidden.length) throw new Error(`Forbidden transition ${forbidden.join('|')} -> ${to} for job ${jobId}`);
    const params: unknown[] = [jobId, to, [...from]];
    const sets = this.setList(params, patch);
    const guardSql = guard.queueJobId === undefined ? '' : ` AND j.queue_job_id = ${this.param(params, 'queueJobId', guard.queueJobId)}`;
    const actor = this.param(params, 'actor', audit.actor);
    const message = this.param(params, 'message', audit.message ?? null);
    const rows = await this.run(
      undefined,
      `WITH cur AS (SELECT id, status FROM background_jobs WHERE id = $1 FOR UPDATE),
       upd AS (UPDATE background_jobs j SET status = $2, updated_at = now()${sets}
               FROM cur WHERE j.id = cur.id AND cur.status = ANY($3::varchar[])${guardSql}
               RETURNING j.*, cur.status AS from_status),
       log AS (INSERT INTO job_execution_logs (job_id, tenant_id, from_status, to_status, actor, message, retry_attempt)
               SELECT id, tenant_id, from_status, status, ${actor}, ${message}, retry_count FROM upd)
       SELECT ${this.selectList}, from_status AS "fromStatus" FROM upd`,
      params,
    );
    if (!rows.length) return null;
    const { fromStatus, ...row } = rows[0] as Record<string, unknown> & { fromStatus: JobStatus };
    const job = this.toEntity(row);
    this.events.publish({ kind: 'status', job, fromStatus, toStatus: to });
    return { job, fromStatus };
  }

  /**
   * Changes fields other than the status, only while the status is one of `when`
   * (and `extraCondition` holds). Returns the updated job, or null if nothing matched.
   */
  async update(jobId: string, when: readonly JobStatus[], patch: JobPatch, extraCondition = 'TRUE'): Promise<BackgroundJob | null> {
    const params: unknown[] = [jobId, [...when]];
    const sets = this.setList(params, patch);
    const rows = await this.run(
      undefined,
      // Wrapped in a SELECT so that every driver returns the rows the same way.
      `WITH upd AS (UPDATE background_jobs SET updated_at = now()${sets}
                    WHERE id = $1 AND status = ANY($2::varchar[]) AND (${extraCondition})
                    RETURNING *)
       SELECT ${this.selectList} FROM upd`,
      params,
    );
    return rows.length ? this.toEntity(rows[0]) : null;
  }

  /** Deletes a job that never left `Pending` (its enqueue failed), with its audit rows. */
  async discardPending(jobId: string): Promise<void> {
    await this.run(undefined, `DELETE FROM background_jobs WHERE id = $1 AND status = 'Pending'`, [jobId]);
  }

  /** Reads one job, or null. */
  async find(jobId: string): Promise<BackgroundJob | null> {
    const rows = await this.run(undefined, `SELECT ${this.selectList} FROM background_jobs WHERE id = $1`, [jobId]);
    return rows.length ? this.toEntity(rows[0]) : null;
  }

  /** Reads only the status of a job: the cheap check a running handler makes. */
  async statusOf(jobId: string): Promise<JobStatus | null> {
    const rows = await this.run(undefined, `SELECT status FROM background_jobs WHERE id = $1`, [jobId]);
    return rows.length ? (rows[0] as { status: JobStatus }).status : null;
  }

  private setList(params: unknown[], patch: JobPatch): string {
    return Object.entries(patch)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `, "${this.column(k)}" = ${this.param(params, k, v)}`)
      .join('');
  }

  private param(params: unknown[], key: string, value: unknown): string {
    // json columns take any JSON value; pg would send a JS array as a PostgreSQL array.
    const isJson = key === 'payload' || key === 'result';
    params.push(isJson && value !== null ? JSON.stringify(value) : value);
    return isJson ? `$${params.length}::jsonb` : `$${params.length}`;
  }

  private column(property: string): string {
    const found = this.columns.find((c) => c.property === property);
    if (!found) throw new Error(`BackgroundJob has no field ${property}`);
    return found.column;
  }

  private toEntity(row: unknown): BackgroundJob {
    return Object.assign(new BackgroundJob(), row);
  }

  private async run(manager: EntityManager | undefined, sql: string, params: unknown[]): Promise<unknown[]> {
    try {
      const result: unknown = await (manager ?? this.dataSource).query(sql, params);
      return Array.isArray(result) ? result : [];
    } catch (error) {
      throw isConnectionError(error) ? new DatabaseUnavailableError(error) : error;
    }
  }
}
