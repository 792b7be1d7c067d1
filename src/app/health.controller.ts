import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from './app.tokens.js';
import type { AppConfig } from './app-config.js';

/** `GET /health`: 200 when the database answers, 503 otherwise. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async check(): Promise<{ status: 'ok'; role: string; queue: 'redis' | 'postgres' }> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('database unreachable');
    }
    return { status: 'ok', role: this.config.role, queue: this.config.redisUrl ? 'redis' : 'postgres' };
  }
}
