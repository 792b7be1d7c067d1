import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { JobPriority, JobStatus } from '../job-status.js';

/** Whether a failure may be retried (`Transient`) or not (`Permanent`). */
export type JobErrorType = 'Transient' | 'Permanent';

/** The persisted record of one background job (table `background_jobs`). */
@Entity({ name: 'background_jobs' })
@Index('idx_background_jobs_status', ['status'])
@Index('idx_background_jobs_type', ['type'])
@Index('idx_background_jobs_tenant', ['tenantId', 'createdAt'])
@Index('idx_background_jobs_owner', ['ownerId', 'createdAt'])
@Index('idx_background_jobs_next_retry', ['nextRetryAt'], { where: 'next_retry_at IS NOT NULL' })
@Index('idx_background_jobs_created', ['createdAt'])
export class BackgroundJob {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  type!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: JobStatus;

  @Column({ type: 'varchar', length: 20, default: 'Normal' })
  priority!: JobPriority;

  @Column({ name: 'queue_name', type: 'varchar', length: 200 })
  queueName!: string;

  /** The id of the job in the queue for the current attempt; null before it is enqueued. */
  @Column({ name: 'queue_job_id', type: 'varchar', length: 200, nullable: true })
  queueJobId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  payload!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  result!: unknown;

  /** 0–100. */
  @Column({ type: 'real', default: 0 })
  progress!: number;

  @Column({ name: 'progress_message', type: 'text', nullable: true })
  progressMessage!: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'error_type', type: 'varchar', length: 20, nullable: true })
  errorType!: JobErrorType | null;

  @Column({ name: 'retry_count', type: 'int', default: 0 })
  retryCount!: number;

  @Column({ name: 'max_retries', type: 'int', default: 5 })
  maxRetries!: number;

  @Column({ name: 'next_retry_at', type: 'timestamptz', nullable: true })
  nextRetryAt!: Date | null;

  @Column({ name: 'timeout_seconds', type: 'double precision', default: 300 })
  timeoutSeconds!: number;

  @Column({ name: 'tenant_id', type: 'varchar', length: 200, nullable: true })
  tenantId!: string | null;

  @Column({ name: 'owner_id', type: 'varchar', length: 200, nullable: true })
  ownerId!: string | null;

  @Column({ name: 'depends_on_id', type: 'uuid', nullable: true })
  dependsOnId!: string | null;

  @Column({ name: 'job_hash', type: 'varchar', length: 128, nullable: true })
  jobHash!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  /** Set when the job is final and its handler, if one ran, has returned. */
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** When the cancel was requested. */
  @Column({ name: 'canceled_at', type: 'timestamptz', nullable: true })
  canceledAt!: Date | null;

  @Column({ name: 'canceled_by', type: 'varchar', length: 200, nullable: true })
  canceledBy!: string | null;

  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
