import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { JobEvent } from '../interfaces/job-event.interface.js';

/**
 * The module's one internal event stream: every status change (after its
 * transaction committed), progress update and cancel is published here once.
 * The realtime gateway and applications subscribe to `events$`.
 */
@Injectable()
export class JobEventBus implements OnApplicationShutdown {
  private readonly subject = new Subject<JobEvent>();

  /** Every event of this process, in the order it happened. */
  readonly events$: Observable<JobEvent> = this.subject.asObservable();

  publish(event: JobEvent): void {
    this.subject.next(event);
  }

  // Not earlier: the worker's shutdown (beforeApplicationShutdown) still publishes the jobs it hands back.
  onApplicationShutdown(): void {
    this.subject.complete();
  }
}
