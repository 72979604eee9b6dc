import { describe, expect, it } from 'vitest';
import { metricsRequest, nanos, resource, tracesRequest } from '../src/otlp.ts';
import { OTHER_ROUTE, routeResolver } from '../src/routes.ts';

describe('route labels', () => {
  it('maps paths to the first matching template and everything else to other', () => {
    const route = routeResolver(['/app', '/app/rooms/:id', '/files/*']);
    expect(route('/app')).toBe('/app');
    expect(route('/app/')).toBe('/app');
    expect(route('/app/rooms/42')).toBe('/app/rooms/:id');
    expect(route('/app/rooms/42/x')).toBe(OTHER_ROUTE);
    expect(route('/files/a/b.txt')).toBe('/files/*');
    expect(route('/user/alice@example.com')).toBe(OTHER_ROUTE);
  });

  it('refuses a function result that is not a template', () => {
    const route = routeResolver((path) => (path === '/a' ? '/a' : path === '/b' ? 'https://x/b?q=1' : undefined));
    expect(route('/a')).toBe('/a');
    expect(route('/b')).toBe(OTHER_ROUTE);
    expect(route('/c')).toBe(OTHER_ROUTE);
  });
});

describe('OTLP/JSON', () => {
  it('encodes samples as count-1 delta histogram points labelled route and rating', () => {
    const body = metricsRequest(resource({ 'service.name': 'web' }), [
      { name: 'LCP', value: 1.2, rating: 'good', route: '/app', at: 1_700_000_000_123.456 },
      { name: 'LCP', value: 4.5, rating: 'poor', route: '/app', at: 1_700_000_000_200 },
      { name: 'CLS', value: 0.3, rating: 'poor', route: 'other', at: 1_700_000_000_300 },
    ]);
    const metrics = body.resourceMetrics[0]?.scopeMetrics[0]?.metrics ?? [];
    expect(metrics.map((m) => [m.name, m.unit])).toEqual([
      ['browser.web_vital.lcp', 's'],
      ['browser.web_vital.cls', '1'],
    ]);
    expect(metrics[0]?.histogram.aggregationTemporality).toBe(1);
    expect(metrics[0]?.histogram.dataPoints[0]).toEqual({
      attributes: [
        { key: 'route', value: { stringValue: '/app' } },
        { key: 'rating', value: { stringValue: 'good' } },
      ],
      timeUnixNano: '1700000000123456000',
      count: '1',
      sum: 1.2,
    });
  });

  it('encodes spans with ids, kind, nanosecond times and an error status', () => {
    const body = tracesRequest(resource({ 'service.name': 'web' }), [
      {
        traceId: 'a'.repeat(32),
        spanId: 'b'.repeat(16),
        parentSpanId: 'c'.repeat(16),
        name: 'HTTP GET',
        kind: 3,
        start: 1000,
        end: 1001.5,
        attributes: { 'http.response.status_code': 502 },
        error: true,
      },
    ]);
    const span = body.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(span).toMatchObject({
      traceId: 'a'.repeat(32),
      parentSpanId: 'c'.repeat(16),
      kind: 3,
      startTimeUnixNano: '1000000000',
      endTimeUnixNano: '1001500000',
      attributes: [{ key: 'http.response.status_code', value: { intValue: '502' } }],
      status: { code: 2 },
    });
    expect(nanos(0.001)).toBe('1000');
  });
});
