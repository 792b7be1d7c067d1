import { coreSuite } from './suites/core.suite.js';

coreSuite('postgres');
