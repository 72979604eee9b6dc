/**
 * Exporter wrappers that apply the shared PII rules to everything that leaves the process over
 * OTLP: span names, attributes, events, links, status messages; log bodies (any depth) and
 * attributes; metric data point attributes; resource attributes. They run in the export path
 * (batch processors, metric reader), not inside the request, and copy only what changed.
 */
import type { Attributes, Link } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { MetricData, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace';
import type { PiiRules } from './rules.js';

type Callback = (result: ExportResult) => void;

/** Resources are shared by every span of a provider: scrub each one once. */
function resourceScrubber(rules: PiiRules): (resource: Resource) => Resource {
  const seen = new WeakMap<Resource, Resource>();
  return (resource) => {
    let out = seen.get(resource);
    if (out === undefined) {
      const attributes = rules.scrubAttributes(resource.attributes as Record<string, unknown>);
      out = attributes === resource.attributes ? resource : resourceFromAttributes(attributes as Attributes);
      seen.set(resource, out);
    }
    return out;
  };
}

/** The span with every string scrubbed; the same object when nothing changed. */
export function scrubSpan(rules: PiiRules, span: ReadableSpan, resource: (r: Resource) => Resource): ReadableSpan {
  const name = rules.scrubString(span.name);
  const attributes = rules.scrubAttributes(span.attributes as Record<string, unknown>) as Attributes;
  const message = span.status.message === undefined ? undefined : rules.scrubString(span.status.message);
  let events: TimedEvent[] | undefined;
  span.events.forEach((event, i) => {
    const eventName = rules.scrubString(event.name);
    const eventAttributes =
      event.attributes && (rules.scrubAttributes(event.attributes as Record<string, unknown>) as Attributes);
    if (eventName !== event.name || eventAttributes !== event.attributes) {
      events ??= span.events.slice();
      events[i] = { ...event, name: eventName, attributes: eventAttributes };
    }
  });
  let links: Link[] | undefined;
  span.links.forEach((link, i) => {
    const linkAttributes =
      link.attributes && (rules.scrubAttributes(link.attributes as Record<string, unknown>) as Attributes);
    if (linkAttributes !== link.attributes) {
      links ??= span.links.slice();
      links[i] = { ...link, attributes: linkAttributes };
    }
  });
  const scrubbedResource = resource(span.resource);
  if (
    name === span.name &&
    attributes === span.attributes &&
    message === span.status.message &&
    events === undefined &&
    links === undefined &&
    scrubbedResource === span.resource
  ) {
    return span;
  }
  return {
    name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: message === span.status.message ? span.status : { ...span.status, message },
    attributes,
    links: links ?? span.links,
    events: events ?? span.events,
    duration: span.duration,
    ended: span.ended,
    resource: scrubbedResource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Scrubs a list of spans; resources are scrubbed once each across calls. */
export function spanScrubber(rules: PiiRules): (spans: ReadableSpan[]) => ReadableSpan[] {
  const resource = resourceScrubber(rules);
  return (spans) => spans.map((span) => scrubSpan(rules, span, resource));
}

/** Scrubs spans before `inner` serialises them. */
export class PiiSpanExporter implements SpanExporter {
  private readonly scrub: (spans: ReadableSpan[]) => ReadableSpan[];
  constructor(
    private readonly inner: SpanExporter,
    rules: PiiRules,
  ) {
    this.scrub = spanScrubber(rules);
  }
  export(spans: ReadableSpan[], resultCallback: Callback): void {
    this.inner.export(this.scrub(spans), resultCallback);
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** The log record with body and attributes scrubbed at any depth; the same object when clean. */
export function scrubLogRecord(
  rules: PiiRules,
  record: ReadableLogRecord,
  resource: (r: Resource) => Resource,
): ReadableLogRecord {
  const body = rules.scrubValue(record.body);
  const attributes = rules.scrubAttributes(record.attributes as Record<string, unknown>) as Attributes;
  const eventName = record.eventName === undefined ? undefined : rules.scrubString(record.eventName);
  const scrubbedResource = resource(record.resource);
  if (
    body === record.body &&
    attributes === record.attributes &&
    eventName === record.eventName &&
    scrubbedResource === record.resource
  ) {
    return record;
  }
  return {
    hrTime: record.hrTime,
    hrTimeObserved: record.hrTimeObserved,
    spanContext: record.spanContext,
    severityText: record.severityText,
    severityNumber: record.severityNumber,
    body: body as ReadableLogRecord['body'],
    eventName,
    resource: scrubbedResource,
    instrumentationScope: record.instrumentationScope,
    attributes,
    droppedAttributesCount: record.droppedAttributesCount,
  };
}

/** Scrubs a list of log records; resources are scrubbed once each across calls. */
export function logRecordScrubber(rules: PiiRules): (records: ReadableLogRecord[]) => ReadableLogRecord[] {
  const resource = resourceScrubber(rules);
  return (records) => records.map((record) => scrubLogRecord(rules, record, resource));
}

/** Scrubs log records before `inner` serialises them. */
export class PiiLogRecordExporter implements LogRecordExporter {
  private readonly scrub: (records: ReadableLogRecord[]) => ReadableLogRecord[];
  constructor(
    private readonly inner: LogRecordExporter,
    rules: PiiRules,
  ) {
    this.scrub = logRecordScrubber(rules);
  }
  export(records: ReadableLogRecord[], resultCallback: Callback): void {
    this.inner.export(this.scrub(records), resultCallback);
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
}

function scrubMetric(rules: PiiRules, metric: MetricData): MetricData {
  let points: unknown[] | undefined;
  metric.dataPoints.forEach((point, i) => {
    const attributes = rules.scrubAttributes(point.attributes as Record<string, unknown>) as Attributes;
    if (attributes !== point.attributes) {
      points ??= metric.dataPoints.slice();
      points[i] = { ...point, attributes };
    }
  });
  return points === undefined ? metric : ({ ...metric, dataPoints: points } as MetricData);
}

/**
 * Scrubs metric data point attributes (values that came from user input) once per export
 * interval, so the cost is per series, not per request. Two series that differ only in a
 * redacted value are sent as two points with equal attributes (the collector does the same).
 */
export class PiiMetricExporter implements PushMetricExporter {
  private readonly resource: (r: Resource) => Resource;
  selectAggregationTemporality?: PushMetricExporter['selectAggregationTemporality'];
  selectAggregation?: PushMetricExporter['selectAggregation'];
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly rules: PiiRules,
  ) {
    this.resource = resourceScrubber(rules);
    // Only present what the inner exporter has: the reader treats a missing selector as "default".
    if (inner.selectAggregationTemporality)
      this.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
    if (inner.selectAggregation) this.selectAggregation = inner.selectAggregation.bind(inner);
  }
  export(metrics: ResourceMetrics, resultCallback: Callback): void {
    const scrubbed: ResourceMetrics = {
      resource: this.resource(metrics.resource),
      scopeMetrics: metrics.scopeMetrics.map((scope) => ({
        scope: scope.scope,
        metrics: scope.metrics.map((metric) => scrubMetric(this.rules, metric)),
      })),
    };
    this.inner.export(scrubbed, resultCallback);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
