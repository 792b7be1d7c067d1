import { BackgroundJob } from './background-job.entity.js';
import { JobExecutionLog } from './job-execution-log.entity.js';

export { BackgroundJob, JobExecutionLog };
export type { JobErrorType } from './background-job.entity.js';

/** The entities of the module, for `TypeOrmModule.forRoot({ entities })`. */
export const BACKGROUND_JOBS_ENTITIES = [BackgroundJob, JobExecutionLog];
