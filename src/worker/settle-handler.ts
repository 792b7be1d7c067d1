/** How a handler's run ended. */
export type HandlerOutcome =
  | { kind: 'returned'; value: unknown }
  | { kind: 'threw'; error: unknown }
  /** The signal aborted and the handler did not return within the grace period: it was abandoned. */
  | { kind: 'abandoned'; reason: unknown };

/**
 * Waits for a handler. Once `signal` aborts, waits at most `graceMs` more unless
 * `waitForever(reason)` says to wait for the handler to really return.
 */
export function settleHandler(
  run: Promise<unknown>,
  signal: AbortSignal,
  graceMs: number,
  waitForever: (reason: unknown) => boolean,
): Promise<HandlerOutcome> {
  const settled = run.then(
    (value): HandlerOutcome => ({ kind: 'returned', value }),
    (error: unknown): HandlerOutcome => ({ kind: 'threw', error }),
  );
  return new Promise<HandlerOutcome>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (waitForever(signal.reason)) return;
      timer = setTimeout(() => resolve({ kind: 'abandoned', reason: signal.reason }), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    void settled.then((outcome) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    });
  });
}
