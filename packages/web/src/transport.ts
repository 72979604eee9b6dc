/** Where the queued telemetry goes. */
export type Transport = 'ingest' | 'collector';

/**
 * Sends without ever waiting: a refused or failed send is dropped, not retried or buffered.
 *
 * - `ingest`: one JSON body with `resourceMetrics` and `resourceSpans` to the service's
 *   `POST /ops/ingest` (same origin) by `navigator.sendBeacon`, which outlives the page.
 * - `collector`: OTLP/HTTP to `<endpoint>/v1/metrics` and `/v1/traces`. A beacon cannot carry
 *   `application/json` across origins, so this uses `fetch` with `keepalive` (CORS preflight,
 *   no credentials).
 */
export function send(
  transport: Transport,
  endpoint: string,
  parts: { metrics?: object | undefined; traces?: object | undefined },
  fetchImpl: typeof fetch,
): void {
  const post = (url: string, body: object) => {
    const json = JSON.stringify(body);
    if (transport === 'ingest' && typeof navigator.sendBeacon === 'function') {
      navigator.sendBeacon(url, new Blob([json], { type: 'application/json' }));
      return;
    }
    fetchImpl(url, {
      method: 'POST',
      body: json,
      keepalive: true,
      credentials: 'omit',
      headers: { 'content-type': 'application/json' },
    }).catch(() => {});
  };
  try {
    if (transport === 'ingest') {
      post(endpoint, { ...parts.metrics, ...parts.traces });
      return;
    }
    const base = endpoint.replace(/\/+$/, '');
    if (parts.metrics) post(`${base}/v1/metrics`, parts.metrics);
    if (parts.traces) post(`${base}/v1/traces`, parts.traces);
  } catch {
    // A quota or a serialisation error loses this batch, never the page.
  }
}
