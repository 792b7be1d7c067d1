import { coreSuite } from './suites/core.suite.js';

coreSuite('redis');
