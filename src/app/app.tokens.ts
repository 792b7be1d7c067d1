/** The application's `AppConfig`. */
export const APP_CONFIG = Symbol('app:config');

