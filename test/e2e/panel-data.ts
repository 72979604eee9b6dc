// Why a dashboard panel is empty on a Prometheus that holds real data: the panel's selectors,
// read by Prometheus's own PromQL parser (`/api/v1/parse_query`), are each counted on their own.
// A panel that returns nothing while every series it reads has data is broken (a join that never
// matches, a label the series lack); one that reads a metric under a name Prometheus stores
// differently (`otelcol_processor_filter_spans.filtered` for `..._spans_filtered`) is broken too.
// A panel whose series the run simply did not produce (no 5xx, no payment) may stay empty.

/** Runs a GET on the Prometheus HTTP API and returns `data` (throws with Prometheus's error). */
export type PromApi = <T>(path: string) => Promise<T>;

/** How one empty panel was judged. */
export type EmptyVerdict = { kind: 'broken'; reason: string } | { kind: 'no-data'; missing: string[] };

interface Matcher {
  name: string;
  type: string;
  value: string;
}

/** Every vector or range selector in a parse_query AST, as `{matcher, ...}` text. */
function selectorsOf(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) selectorsOf(item, out);
  } else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.type === 'vectorSelector' || record.type === 'matrixSelector') {
      const matchers = (record.matchers as Matcher[] | undefined) ?? [];
      out.push(`{${matchers.map((m) => `${JSON.stringify(m.name)}${m.type}${JSON.stringify(m.value)}`).join(', ')}}`);
    }
    for (const value of Object.values(record)) selectorsOf(value, out);
  }
  return out;
}

/** The selectors of `expr` (deduplicated), parsed by Prometheus. */
export async function selectors(api: PromApi, expr: string): Promise<string[]> {
  const ast = await api<unknown>(`/api/v1/parse_query?${new URLSearchParams({ query: expr })}`);
  return [...new Set(selectorsOf(ast))];
}

/** What Prometheus's legacy name charset makes of a name (Prometheus 3's `underscores` escaping). */
export const underscoreName = (name: string): string => name.replace(/[^a-zA-Z0-9_:]/g, '_');

/** Names Prometheus holds whose escaped form equals `name` (or `name` with `_total`), but spelled otherwise. */
export function lookalikes(name: string, stored: string[]): string[] {
  return stored.filter(
    (other) => other !== name && [name, `${name}_total`, name.replace(/_total$/, '')].includes(underscoreName(other)),
  );
}

/**
 * Judges a panel expression that returned no sample. `window` bounds how far back a series counts
 * as present (the load ran within it). `stored` is `/api/v1/label/__name__/values`.
 */
export async function judgeEmptyPanel(
  api: PromApi,
  expr: string,
  stored: string[],
  window = '10m',
): Promise<EmptyVerdict> {
  const missing: string[] = [];
  for (const selector of await selectors(api, expr)) {
    const query = `count(last_over_time(${selector}[${window}]))`;
    const data = await api<{ result: unknown[] }>(`/api/v1/query?${new URLSearchParams({ query })}`);
    if (data.result.length > 0) continue;
    const name = /"__name__"="([^"]+)"/.exec(selector)?.[1];
    const similar = name === undefined ? [] : lookalikes(name, stored);
    if (similar.length > 0) {
      return { kind: 'broken', reason: `reads ${name}, but Prometheus stores ${similar.join(', ')}` };
    }
    missing.push(selector);
  }
  if (missing.length === 0) return { kind: 'broken', reason: 'empty although every series it reads has data' };
  return { kind: 'no-data', missing };
}
