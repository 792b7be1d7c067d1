import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BACKGROUND_JOBS_ENTITIES, BACKGROUND_JOBS_MIGRATIONS, BackgroundJobsModule } from '../index.js';
import { queueOptions, type AppConfig } from './app-config.js';
import { APP_CONFIG } from './app.tokens.js';
import { BundledJobs } from './bundled-jobs.js';
import { demoResolvePrincipal } from './demo-principal.js';
import { HealthController } from './health.controller.js';

/** The bundled application: records in PostgreSQL, the queue on PostgreSQL or Redis, the bundled handlers. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    const serves = config.role !== 'worker';
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: databaseUrl,
          entities: BACKGROUND_JOBS_ENTITIES,
          migrations: BACKGROUND_JOBS_MIGRATIONS,
          migrationsRun: true,
          logging: false,
        }),
        BackgroundJobsModule.forRoot({
          queue: queueOptions(config, databaseUrl),
          worker: { enabled: config.role !== 'api' },
          http: { enabled: serves },
          realtime: { enabled: serves },
          resolvePrincipal: demoResolvePrincipal,
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        BundledJobs,
      ],
    };
  }
}
