/**
 * Gathers the requests made during one turn of the event loop and runs them as one
 * batch: with many jobs in flight, one statement and one commit serve them all.
 * Requests with the same key never share a batch (one row may change once per
 * statement); they wait for the next one, in order.
 */
export class TickBatcher<Req, Res> {
  private queue: { request: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly execute: (requests: Req[]) => Promise<Res[]>,
    private readonly keyOf: (request: Req) => string,
    private readonly maxBatch = 500,
  ) {}

  submit(request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const batch: typeof this.queue = [];
    const rest: typeof this.queue = [];
    const keys = new Set<string>();
    for (const item of this.queue) {
      const key = this.keyOf(item.request);
      if (batch.length < this.maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(item);
      } else {
        rest.push(item);
      }
    }
    this.queue = rest;
    if (rest.length) this.schedule();
    if (!batch.length) return;
    this.execute(batch.map((b) => b.request)).then(
      (results) => batch.forEach((b, i) => b.resolve(results[i])),
      (error: unknown) => batch.forEach((b) => b.reject(error)),
    );
  }
}
