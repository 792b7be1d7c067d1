import { CreateBackgroundJobs1764806400000 } from './1764806400000-create-background-jobs.js';

export { CreateBackgroundJobs1764806400000 };

/** The module's migrations, in order, for `TypeOrmModule.forRoot({ migrations })`. */
export const BACKGROUND_JOBS_MIGRATIONS = [CreateBackgroundJobs1764806400000];
