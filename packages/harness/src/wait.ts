/** Options for {@link waitFor}. */
export interface WaitOptions {
  /** What is awaited, for the timeout message. */
  what: string;
  /** Give up after this long. @default 30000 */
  timeoutMs?: number;
  /** Pause between polls. @default 100 */
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than `undefined`/`false`, or throws once the
 * deadline passes. Tests synchronise through this, never through a bare sleep.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { what, timeoutMs = 30_000, intervalMs = 100 }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
