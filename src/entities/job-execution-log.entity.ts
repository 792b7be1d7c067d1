import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { JobStatus } from '../job-status.js';

/**
 * One row for every status change of a job (table `job_execution_logs`), written in
 * the same statement as the change itself.
 */
@Entity({ name: 'job_execution_logs' })
@Index('idx_job_execution_logs_job', ['jobId', 'id'])
export class JobExecutionLog {
  /** Increasing: orders the rows of one job as their changes happened. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'job_id', type: 'uuid' })
  jobId!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 200, nullable: true })
  tenantId!: string | null;

  /** Null for the row that records the job's creation. */
  @Column({ name: 'from_status', type: 'varchar', length: 20, nullable: true })
  fromStatus!: JobStatus | null;

  @Column({ name: 'to_status', type: 'varchar', length: 20 })
  toStatus!: JobStatus;

  /** Who made the change: a principal id, `system`, or `worker:<host>:<pid>`. */
  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ name: 'retry_attempt', type: 'int', default: 0 })
  retryAttempt!: number;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  timestamp!: Date;
}
