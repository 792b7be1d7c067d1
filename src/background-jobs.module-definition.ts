import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { BackgroundJobsModuleOptions } from './interfaces/module-options.interface.js';

export const {
  ConfigurableModuleClass: BackgroundJobsConfigurableModule,
  MODULE_OPTIONS_TOKEN: BACKGROUND_JOBS_OPTIONS,
  OPTIONS_TYPE: BACKGROUND_JOBS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: BACKGROUND_JOBS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<BackgroundJobsModuleOptions>().setClassMethodName('forRoot').build();
