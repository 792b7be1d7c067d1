import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs } from '../../src/index.js';

describe('backoff', () => {
  it('defaults to 60 s · 2^(n-1) with ±20 % jitter', () => {
    assert.equal(backoffDelayMs(1, undefined, () => 0.5), 60_000);
    assert.equal(backoffDelayMs(3, undefined, () => 0.5), 240_000);
    assert.equal(backoffDelayMs(1, undefined, () => 0), 48_000);
    assert.equal(backoffDelayMs(1, undefined, () => 1), 72_000);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelayMs(2, undefined);
      assert.ok(d >= 96_000 && d <= 144_000, String(d));
    }
  });

  it('takes milliseconds, a factor, a cap, or a function', () => {
    assert.equal(backoffDelayMs(4, { baseMs: 10, jitter: 0 }), 80);
    assert.equal(backoffDelayMs(4, { baseMs: 10, factor: 1, jitter: 0 }), 10);
    assert.equal(backoffDelayMs(30, { baseMs: 1000, jitter: 0, maxMs: 5000 }), 5000);
    assert.equal(backoffDelayMs(3, (n) => n * 7), 21);
    assert.equal(backoffDelayMs(3, () => -5), 0);
  });
});
