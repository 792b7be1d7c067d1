import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { BackgroundJobsModuleOptions, BackgroundJobsMountOptions } from './interfaces/module-options.interface.js';

/**
 * `http`, `realtime` and `accessPolicy` are "extras": read when the module is
 * defined (they decide which controller and gateway exist), given at the top level of
 * both `forRoot(…)` and `forRootAsync({ …, useFactory })`, and left out of the
 * options object that providers inject.
 */
export const {
  ConfigurableModuleClass: BackgroundJobsConfigurableModule,
  MODULE_OPTIONS_TOKEN: BACKGROUND_JOBS_OPTIONS,
  OPTIONS_TYPE: BACKGROUND_JOBS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: BACKGROUND_JOBS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<BackgroundJobsModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<BackgroundJobsMountOptions>({ http: undefined, realtime: undefined, accessPolicy: undefined })
  .build();
