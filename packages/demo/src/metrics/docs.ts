// What the README table says about each metric besides its definition: the group it is listed under
// and the seed specs that name it. Divan's own definitions carry these fields; the SDK's metrics get
// them from SDK_METRIC_DOCS, keyed by their namespace-relative name.
import type { MetricDefinition } from '@sightline/node';

/** Which seed spec a metric comes from: 000/001 Divan, 002 bambisleep, 003 Aura, 004 Panic System. */
export type SpecId = '000' | '001' | '002' | '003' | '004';

/** How the README table groups metrics, in this order. */
export type MetricGroup = 'auth' | 'rate_limit' | 'realtime' | 'domain' | 'infrastructure' | 'jobs' | 'business';

/** Where a spec names (or implies) a metric, and under which original name. */
export interface SpecReference {
  readonly spec: SpecId;
  /** The spec's metric name, or a short description when the spec only describes it. */
  readonly name: string;
  /** `false` when the spec describes the metric without naming it (a panel, an alert). @default true */
  readonly named?: boolean;
  /** How the spec's metric maps onto this one, when it is not one to one. */
  readonly note?: string;
}

/** The README-table fields of one metric. */
export interface MetricDocs {
  readonly group: MetricGroup;
  readonly specs: readonly SpecReference[];
}

/** A Divan metric: an SDK metric definition plus its README-table fields. */
export type DivanMetricDefinition<S extends string = string> = MetricDefinition<S> & MetricDocs;

/** A spec metric that no catalog instrument emits: mapped to another series, or not emitted. */
export interface SpecMapping {
  readonly spec: SpecId;
  readonly name: string;
  /** `false` when the spec describes the metric without naming it. @default true */
  readonly named?: boolean;
  /** The Prometheus series that carries it, or `null` when it is not emitted. */
  readonly series: string | null;
  /** Who emits the series, or why the metric is not emitted. */
  readonly note: string;
}

/**
 * The specs that name the metrics @sightline/node defines itself (`job()`, `instrumentSocketIO()`,
 * the uncaught-exception monitor), by namespace-relative name. A test fails when the SDK emits a metric
 * missing here.
 */
export const SDK_METRIC_DOCS: { readonly [name: string]: MetricDocs } = {
  'socketio.clients': {
    group: 'realtime',
    specs: [
      { spec: '000', name: 'divan_socketio_clients' },
      { spec: '000', name: 'divan_comm_socket_connections_active', note: 'same gauge' },
      { spec: '001', name: 'divan_socketio_clients' },
      { spec: '002', name: 'websocket_connections_total' },
      { spec: '004', name: 'WebSocket connections', named: false },
    ],
  },
  'socketio.events': {
    group: 'realtime',
    specs: [
      { spec: '000', name: 'divan_socketio_events_total' },
      { spec: '001', name: 'divan_socketio_events_total' },
    ],
  },
  'socketio.room.size': {
    group: 'realtime',
    specs: [{ spec: '001', name: 'room size debug gauge (§7)', named: false }],
  },
  'unhandled.exceptions': {
    group: 'infrastructure',
    specs: [{ spec: '000', name: 'divan_unhandled_exceptions_total' }],
  },
  'jobs.runs': {
    group: 'jobs',
    specs: [{ spec: '001', name: 'divan_jobs_runs_total' }],
  },
  'jobs.duration': {
    group: 'jobs',
    specs: [
      { spec: '001', name: 'divan_jobs_duration_seconds' },
      { spec: '001', name: 'snapshot durations panel (§9)', named: false, note: '`name="leaderboard_snapshot"`' },
    ],
  },
};
