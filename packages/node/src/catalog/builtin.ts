import { defineCatalog } from './define.js';

/** Background work: from a quick sweep to a long rollover, in seconds. */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The metrics the SDK itself emits, defined once: `job()`, `instrumentSocketIO()` and the
 * uncaught-exception monitor of `init()` create their instruments from these. Names are relative to
 * the service's metric namespace (`jobs.runs` -> `shop.jobs.runs` -> `shop_jobs_runs_total`).
 */
export const SDK_METRICS = {
  socketioClients: {
    name: 'socketio.clients',
    kind: 'updown',
    unit: '{client}',
    description: 'Connected Socket.IO clients per namespace',
    labels: { namespace: { kind: 'configured', set: 'socketNamespaces' } },
  },
  socketioEvents: {
    name: 'socketio.events',
    kind: 'counter',
    unit: '{event}',
    description: 'Incoming Socket.IO events per namespace and event',
    labels: {
      namespace: { kind: 'configured', set: 'socketNamespaces' },
      event: { kind: 'configured', set: 'socketEvents' },
    },
  },
  socketioRoomSize: {
    name: 'socketio.room.size',
    kind: 'observable_gauge',
    unit: '{client}',
    description: 'Clients in the largest shared room per namespace (debug only, for fan-out)',
    labels: { namespace: { kind: 'configured', set: 'socketNamespaces' } },
  },
  unhandledExceptions: {
    name: 'unhandled.exceptions',
    kind: 'counter',
    unit: '{exception}',
    description: 'Exceptions no handler caught, by error class',
    labels: { type: { kind: 'identifier', maxValues: 32 } },
  },
  jobsRuns: {
    name: 'jobs.runs',
    kind: 'counter',
    unit: '{run}',
    description: 'Background job runs by job and result',
    labels: { name: { kind: 'identifier', maxValues: 32 }, result: { kind: 'enum', values: ['success', 'failure'] } },
  },
  jobsDuration: {
    name: 'jobs.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Background job run time',
    labels: { name: { kind: 'identifier', maxValues: 32 } },
    buckets: JOB_BUCKETS,
  },
} as const;

/** The Socket.IO label sets: namespaces and events the service names (`instrumentSocketIO` options). */
const SDK_LABEL_SETS = {
  socketNamespaces: { max: 16, defaults: ['/'] },
  socketEvents: { max: 64, defaults: [] },
} as const;

/** The metric namespace of a service that passes no catalog to `init()`. */
export const DEFAULT_METRIC_NAMESPACE = 'app';

/** The SDK's own metrics under a service's namespace; `init()` applies its views with the service's catalogs. */
export function sdkCatalog(namespace: string) {
  return defineCatalog({ namespace, labelSets: SDK_LABEL_SETS, metrics: SDK_METRICS });
}

/** The catalog of the SDK's own metrics. */
export type SdkCatalog = ReturnType<typeof sdkCatalog>;
