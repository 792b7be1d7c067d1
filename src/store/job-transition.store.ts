import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { BackgroundJob } from '../entities/background-job.entity.js';
import { DatabaseUnavailableError, isConnectionError } from '../errors/service-errors.js';
import { JobEventBus } from '../events/job-event.bus.js';
import { ALLOWED_TRANSITIONS, type JobStatus } from '../job-status.js';
import { TickBatcher } from '../tick-batcher.js';

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

interface CreateRequest {
  row: Record<string, unknown>;
  audit: ChangeAudit;
}

interface TransitionRequest {
  jobId: string;
  from: readonly JobStatus[];
  to: JobStatus;
  patch: JobPatch;
  audit: ChangeAudit;
  guardQueueJobId: string | null;
}

interface ColumnInfo {
  property: string;
  column: string;
  /** SQL type to cast a JSON text value to; null for jsonb columns. */
  cast: string | null;
}

/**
 * Every status change of a job goes through here. A change locks the row, checks
 * the current status against the allowed sources, updates it and writes the audit
 * row in one statement, so no race can make a transition the state machine forbids
 * or skip its audit row. The changes requested in one turn of the event loop share
 * that statement (and its commit). Each event is published after its commit.
 */
@Injectable()
export class JobTransitionStore {
  private readonly columns: ColumnInfo[];
  private readonly selectList: string;
  private readonly creates = new TickBatcher<CreateRequest, BackgroundJob>(
    (requests) => this.createBatch(requests),
    (r) => String(r.row.id),
  );
  private readonly transitions = new TickBatcher<TransitionRequest, Transition | null>(
    (requests) => this.transitionBatch(requests),
    (r) => r.jobId,
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: JobEventBus,
  ) {
    this.columns = dataSource.getMetadata(BackgroundJob).columns.map((c) => ({
      property: c.propertyName,
      column: c.databaseName,
      cast: c.type === 'jsonb' ? null : String(c.type),
    }));
    this.selectList = this.columns.map((c) => `"${c.column}" AS "${c.property}"`).join(', ');
  }

  /** Inserts a new job as `Pending`, with its first audit row. */
  async create(job: JobPatch & { id: string; status: 'Pending' }, audit: ChangeAudit, manager?: EntityManager): Promise<BackgroundJob> {
    const row = Object.fromEntries(Object.entries(job).filter(([, v]) => v !== undefined));
    if (manager) return (await this.createBatch([{ row, audit }], manager))[0];
    const created = await this.creates.submit({ row, audit });
    this.events.publish({ kind: 'status', job: created, fromStatus: null, toStatus: 'Pending' });
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
    const done = await this.transitions.submit({ jobId, from, to, patch, audit, guardQueueJobId: guard.queueJobId ?? null });
    if (done) this.events.publish({ kind: 'status', job: done.job, fromStatus: done.fromStatus, toStatus: to });
    return done;
  }

  /** One INSERT for many new jobs, rows with the same fields together. */
  private async createBatch(requests: CreateRequest[], manager?: EntityManager): Promise<BackgroundJob[]> {
    const fields = [...new Set(requests.flatMap((r) => Object.keys(r.row)))];
    const cols = fields.map((f) => this.info(f));
    const values = cols.map((c) => this.fromJson('r.row', c)).join(', ');
    const input = requests.map((r, ord) => ({ ord, row: this.jsonRow(r.row), actor: r.audit.actor, message: r.audit.message ?? null }));
    const rows = await this.run(
      manager,
      `WITH req AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(ord int, "row" jsonb, actor varchar, message text)),
       ins AS (INSERT INTO background_jobs (${cols.map((c) => `"${c.column}"`).join(', ')})
               SELECT ${values} FROM req r ORDER BY r.ord RETURNING *),
       log AS (INSERT INTO job_execution_logs (job_id, tenant_id, from_status, to_status, actor, message, retry_attempt)
               SELECT i.id, i.tenant_id, NULL, i.status, r.actor, r.message, i.retry_count
               FROM ins i JOIN req r ON (r."row"->>'id')::uuid = i.id ORDER BY r.ord)
       SELECT ${this.selectList} FROM ins`,
      [JSON.stringify(input)],
    );
    const byId = new Map(rows.map((row) => [(row as { id: string }).id, this.toEntity(row)]));
    return requests.map((r) => byId.get(String(r.row.id))!);
  }

  /** One UPDATE (and one audit INSERT) for many transitions of different jobs. */
  private async transitionBatch(requests: TransitionRequest[]): Promise<(Transition | null)[]> {
    const fields = [...new Set(requests.flatMap((r) => Object.entries(r.patch).filter(([, v]) => v !== undefined).map(([k]) => k)))];
    const sets = fields
      .map((f) => this.info(f))
      .map((c) => `, "${c.column}" = CASE WHEN r.patch ? '${c.property}' THEN ${this.fromJson('r.patch', c)} ELSE j."${c.column}" END`)
      .join('');
    const input = requests.map((r, ord) => ({
      ord,
      id: r.jobId,
      to: r.to,
      from: [...r.from],
      guard: r.guardQueueJobId,
      actor: r.audit.actor,
      message: r.audit.message ?? null,
      patch: this.jsonRow(Object.fromEntries(Object.entries(r.patch).filter(([, v]) => v !== undefined))),
    }));
    const rows = await this.run(
      undefined,
      `WITH req AS (SELECT * FROM jsonb_to_recordset($1::jsonb)
                    AS r(ord int, id uuid, "to" varchar, "from" varchar[], guard varchar, actor varchar, message text, patch jsonb)),
       cur AS (SELECT j.id, j.status FROM background_jobs j JOIN req r ON r.id = j.id ORDER BY j.id FOR UPDATE OF j),
       upd AS (UPDATE background_jobs j SET status = r."to", updated_at = now()${sets}
               FROM req r JOIN cur ON cur.id = r.id
               WHERE j.id = r.id AND cur.status = ANY(r."from") AND (r.guard IS NULL OR j.queue_job_id = r.guard)
               RETURNING j.*, cur.status AS from_status, r.ord AS req_ord, r.actor AS req_actor, r.message AS req_message),
       log AS (INSERT INTO job_execution_logs (job_id, tenant_id, from_status, to_status, actor, message, retry_attempt)
               SELECT id, tenant_id, from_status, status, req_actor, req_message, retry_count FROM upd ORDER BY req_ord)
       SELECT ${this.selectList}, from_status AS "fromStatus", req_ord AS "ord" FROM upd`,
      [JSON.stringify(input)],
    );
    const results: (Transition | null)[] = requests.map(() => null);
    for (const raw of rows) {
      const { fromStatus, ord, ...row } = raw as Record<string, unknown> & { fromStatus: JobStatus; ord: number };
      results[ord] = { job: this.toEntity(row), fromStatus };
    }
    return results;
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

  /** Deletes a finished job (and, by cascade, its audit rows); false when it is not finished or not there. */
  async deleteFinished(jobId: string): Promise<boolean> {
    const rows = await this.run(
      undefined,
      `WITH del AS (DELETE FROM background_jobs
                    WHERE id = $1 AND status IN ('Completed', 'Canceled', 'DeadLetter') AND completed_at IS NOT NULL
                    RETURNING id)
       SELECT id FROM del`,
      [jobId],
    );
    return rows.length > 0;
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
      .map(([k, v]) => `, "${this.info(k).column}" = ${this.param(params, k, v)}`)
      .join('');
  }

  private param(params: unknown[], key: string, value: unknown): string {
    // json columns take any JSON value; pg would send a JS array as a PostgreSQL array.
    const isJson = this.info(key).cast === null;
    params.push(isJson && value !== null ? JSON.stringify(value) : value);
    return isJson ? `$${params.length}::jsonb` : `$${params.length}`;
  }

  /** `<source> ->> 'field'` cast to the column's type (a JSON null is SQL NULL). */
  private fromJson(source: string, c: ColumnInfo): string {
    return c.cast === null
      ? `NULLIF(${source}->'${c.property}', 'null'::jsonb)`
      : `(${source}->>'${c.property}')::${c.cast}`;
  }

  /** A row as JSON: dates as ISO strings, everything else as it is. */
  private jsonRow(row: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
  }

  private info(property: string): ColumnInfo {
    const found = this.columns.find((c) => c.property === property);
    if (!found) throw new Error(`BackgroundJob has no field ${property}`);
    return found;
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
