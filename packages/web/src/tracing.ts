import type { WebSpan } from './otlp.js';

/** Random lower-case hex id of `bytes` bytes (16: trace id, 8: span id). */
export function randomId(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buffer, (b) => b.toString(16).padStart(2, '0')).join('');
}

const epoch = (relative: number) => performance.timeOrigin + relative;

/**
 * The page's `documentLoad` span, from navigation start to the end of the load event. Its id is
 * known from the start, so fetches made before `load` can already name it as their parent.
 */
export function documentLoad(traceId: string, spanId: string, route: string, emit: (span: WebSpan) => void): void {
  const finish = () => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    emit({
      traceId,
      spanId,
      name: 'documentLoad',
      kind: 1,
      start: epoch(0),
      end: epoch(nav && nav.loadEventEnd > 0 ? nav.loadEventEnd : performance.now()),
      attributes: { 'page.route': route },
    });
  };
  // loadEventEnd is set only after the load handlers returned.
  if (document.readyState === 'complete') setTimeout(finish);
  else addEventListener('load', () => setTimeout(finish), { once: true });
}

/** The URL a fetch call targets, or undefined when it cannot be parsed. */
function targetOf(input: RequestInfo | URL): URL | undefined {
  try {
    return new URL(input instanceof Request ? input.url : String(input), location.href);
  } catch {
    return undefined;
  }
}

/**
 * Wraps `window.fetch`: calls to URLs `propagate` accepts get a `traceparent` of a new client span
 * (child of the page span) and that span is emitted when the call settles. Only the method and
 * the status are recorded: no URL, path or query leaves the page.
 */
export function patchFetch(
  original: typeof fetch,
  traceId: string,
  parentSpanId: string,
  route: string,
  propagate: (url: URL) => boolean,
  emit: (span: WebSpan) => void,
): typeof fetch {
  return (input, init) => {
    const url = targetOf(input);
    if (url === undefined || !propagate(url)) return original(input, init);
    const spanId = randomId(8);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('traceparent', `00-${traceId}-${spanId}-01`);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const start = epoch(performance.now());
    const done = (status: number) =>
      emit({
        traceId,
        spanId,
        parentSpanId,
        name: `HTTP ${method}`,
        kind: 3,
        start,
        end: epoch(performance.now()),
        attributes: { 'http.request.method': method, 'http.response.status_code': status, 'page.route': route },
        error: status === 0 || status >= 500,
      });
    return original(input, { ...init, headers }).then(
      (response) => {
        done(response.status);
        return response;
      },
      (error: unknown) => {
        done(0);
        throw error;
      },
    );
  };
}
