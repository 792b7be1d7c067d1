import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** What a test handler saw, per job. */
export interface ProbeRecord {
  entered: number;
  abortReasons: string[];
  returned: number;
}

/** Records what handlers do, so tests can wait on it instead of sleeping. */
@Injectable()
export class Probe extends EventEmitter {
  private readonly records = new Map<string, ProbeRecord>();
  private readonly releases = new Map<string, () => void>();

  record(jobId: string): ProbeRecord {
    let r = this.records.get(jobId);
    if (!r) {
      r = { entered: 0, abortReasons: [], returned: 0 };
      this.records.set(jobId, r);
    }
    return r;
  }

  entered(jobId: string): void {
    this.record(jobId).entered++;
    this.emit('entered', jobId);
  }

  aborted(jobId: string, reason: unknown): void {
    this.record(jobId).abortReasons.push(reason instanceof Error ? reason.name : String(reason));
    this.emit('aborted', jobId);
  }

  returned(jobId: string): void {
    this.record(jobId).returned++;
  }

  /** A promise the handler awaits until the test calls `release(jobId)`. */
  gate(jobId: string): Promise<void> {
    return new Promise((resolve) => this.releases.set(jobId, resolve));
  }

  release(jobId: string): void {
    this.releases.get(jobId)?.();
  }

  /** Resolves when `jobId` emitted `event` (or already has). */
  when(event: 'entered' | 'aborted', jobId: string, timeoutMs = 15_000): Promise<void> {
    const r = this.records.get(jobId);
    if (event === 'entered' && r && r.entered > 0) return Promise.resolve();
    if (event === 'aborted' && r && r.abortReasons.length > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(event, listener);
        reject(new Error(`Timed out waiting for ${event} of job ${jobId}`));
      }, timeoutMs);
      const listener = (id: string): void => {
        if (id !== jobId) return;
        clearTimeout(timer);
        this.off(event, listener);
        resolve();
      };
      this.on(event, listener);
    });
  }
}
