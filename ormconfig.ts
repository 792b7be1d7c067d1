import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { BACKGROUND_JOBS_ENTITIES } from './src/entities/index.js';
import { BACKGROUND_JOBS_MIGRATIONS } from './src/migrations/index.js';

/** DataSource for the TypeORM CLI (`npm run migration:run`). Reads `DATABASE_URL`. */
export default new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  entities: BACKGROUND_JOBS_ENTITIES,
  migrations: BACKGROUND_JOBS_MIGRATIONS,
});
