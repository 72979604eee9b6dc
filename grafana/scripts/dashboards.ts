// The Sightline dashboards as data. Series and label names come from docs/CONTRACT.md; collector
// self-metric names were read from a running v0.161.0 collector scraped by Prometheus (counters
// there carry no `_total` suffix), and the runtime names (nodejs_*, v8js_*) from the native stack's
// Prometheus (instrumentation-runtime-node 0.36 emits no v8js heap-limit series).

import { hostDashboard } from './host-dashboard.ts';
import {
  type DashboardSpec,
  loki,
  type PanelSpec,
  prom,
  SEL,
  serviceMap,
  serviceVariables,
  traceql,
  type VariableSpec,
} from './kit.ts';
import { webVitalsDashboard } from './web-vitals-dashboard.ts';

const RATE = '$__rate_interval';
const HTTP = 'http_server_request_duration_seconds';

/** Requests per second of a selector over the HTTP histogram. */
const httpRate = (extra = '', by = '') =>
  `sum${by === '' ? '' : ` by (${by})`} (rate(${HTTP}_count{${SEL}${extra}}[${RATE}]))`;

/** A latency quantile of a histogram series family. */
const quantile = (q: number, family: string, extra = '', by = '') =>
  `histogram_quantile(${q}, sum by (le${by === '' ? '' : `, ${by}`}) (rate(${family}_bucket{${SEL}${extra}}[${RATE}])))`;

/** Rate of a counter, summed (optionally by labels). */
const rate = (series: string, by = '', extra = '') =>
  `sum${by === '' ? '' : ` by (${by})`} (rate(${series}{${SEL}${extra}}[${RATE}]))`;

// `or vector(0)` keeps a ratio at 0 instead of "no data" while nothing failed.
const errorRatio = `(sum(rate(${HTTP}_count{${SEL}, http_response_status_code=~"5.."}[${RATE}])) or vector(0)) / sum(rate(${HTTP}_count{${SEL}}[${RATE}]))`;

const ts = (title: string, targets: PanelSpec['targets'], extra: Partial<PanelSpec> = {}): PanelSpec => ({
  title,
  type: 'timeseries',
  targets,
  ...extra,
});
const stat = (title: string, targets: PanelSpec['targets'], extra: Partial<PanelSpec> = {}): PanelSpec => ({
  title,
  type: 'stat',
  targets,
  w: 6,
  h: 5,
  ...extra,
});

/** Latency SLO of spec 000 (p95 < 400 ms) and availability SLO (99.9 % non-5xx). */
const LATENCY_SLO_SECONDS = '0.4';
const AVAILABILITY_SLO = 0.999;
/** Latency SLO: 95 % of requests under the threshold, so 5 % may be slower. */
const LATENCY_BUDGET = '0.05';

/**
 * Exemplars: the SDK's histogram has none (sdk-metrics records none), and span metrics taken before
 * sampling would mostly point at dropped traces. `span_metrics/kept` in collector/otelcol.yaml is
 * computed from the traces tail sampling kept, so each of its exemplars opens a trace in Tempo. The
 * target draws the p95 of stored server spans (biased towards slow and failed ones by design) and
 * carries the exemplar dots; the exact latency is the SDK's line next to it.
 */
const KEPT = 'traces_span_metrics_kept_duration_seconds';
const storedTraces = (q: number) =>
  prom(quantile(q, KEPT, ', span_kind="SPAN_KIND_SERVER"'), `p${Math.round(q * 100)} of stored traces (exemplars)`, {
    exemplar: true,
  });

const errorLogs = `{service_name=~"$service", deployment_environment_name=~"$env"} | severity_text=~"(?i)error|fatal"`;

const backendOverview: DashboardSpec = {
  uid: 'sightline-backend-overview',
  title: 'Backend Overview',
  description: 'Traffic, latency, errors, realtime clients and dependencies of a service (spec 001 §9).',
  tags: ['overview'],
  links: [{ title: 'Frontend / Web Vitals', uid: 'sightline-web-vitals' }],
  items: [
    // The headline numbers use prometheus/rules/recording.yml (5m windows, health routes excluded).
    stat('Requests per second', [prom(`sum(service:http_server_requests:rate5m{${SEL}})`, 'rps')], { unit: 'reqps' }),
    stat('p95 latency', [prom(`max(service:http_server_request_duration_seconds:p95_rate5m{${SEL}})`, 'p95')], {
      unit: 's',
      thresholds: [[0.4, 'red']],
    }),
    stat('Error rate', [prom(`100 * max(service:http_server_errors:ratio_rate5m{${SEL}})`, 'errors')], {
      unit: 'percent',
      thresholds: [
        [1, 'orange'],
        [5, 'red'],
      ],
    }),
    stat('Socket.IO clients', [prom(`sum(divan_socketio_clients{${SEL}})`, 'clients')], { unit: 'short' }),
    ts('Requests per second by route', [prom(httpRate('', 'http_route, http_request_method'))], { unit: 'reqps' }),
    ts('p95 latency by route', [prom(quantile(0.95, HTTP, '', 'http_route'), '{{http_route}}'), storedTraces(0.95)], {
      unit: 's',
    }),
    ts('Error rate %', [prom(`100 * ${errorRatio}`, '5xx %')], { unit: 'percent', min: 0 }),
    ts(
      'Socket.IO clients by namespace',
      [prom(`sum by (namespace) (divan_socketio_clients{${SEL}})`, '{{namespace}}')],
      {
        unit: 'short',
      },
    ),
    { row: 'Dependencies' },
    stat('Redis up', [prom(`min(divan_redis_up{${SEL}})`, 'redis')], {
      thresholds: [[1, 'green']],
      min: 0,
      max: 1,
    }),
    stat('PostgreSQL up', [prom(`min(divan_postgres_up{${SEL}})`, 'postgres')], {
      thresholds: [[1, 'green']],
      min: 0,
      max: 1,
    }),
    stat(
      'Unhandled exceptions (range)',
      [prom(`sum(increase(divan_unhandled_exceptions_total{${SEL}}[$__range])) or vector(0)`)],
      {
        thresholds: [[1, 'red']],
      },
    ),
    stat('DB connections active', [prom(`sum(divan_db_connections{${SEL}, state="active"})`)], { unit: 'short' }),
    ts(
      'Redis / PostgreSQL p95 latency',
      [
        prom(quantile(0.95, 'divan_redis_latency_seconds'), 'redis p95'),
        prom(quantile(0.95, 'divan_postgres_latency_seconds'), 'postgres p95'),
      ],
      { unit: 's' },
    ),
    ts('DB connections by state', [prom(`sum by (state) (divan_db_connections{${SEL}})`, '{{state}}')], {
      unit: 'short',
      stacked: true,
    }),
    { row: 'Logs' },
    { title: 'Error logs', type: 'logs', targets: [loki(errorLogs)], w: 24, h: 10 },
  ],
};

const httpRed: DashboardSpec = {
  uid: 'sightline-http-red',
  title: 'HTTP RED',
  description:
    'Rate, errors and duration per route (OpenTelemetry http.server.request.duration), with exemplars to Tempo.',
  tags: ['http', 'red'],
  items: [
    ts(
      'Rate by route and method',
      [prom(httpRate('', 'http_route, http_request_method'), '{{http_request_method}} {{http_route}}')],
      {
        unit: 'reqps',
      },
    ),
    ts('Responses by status code', [prom(httpRate('', 'http_response_status_code'), '{{http_response_status_code}}')], {
      unit: 'reqps',
      stacked: true,
    }),
    ts(
      'Error ratio by route (5xx)',
      [
        prom(
          `(sum by (http_route) (rate(${HTTP}_count{${SEL}, http_response_status_code=~"5.."}[${RATE}])) or (0 * sum by (http_route) (rate(${HTTP}_count{${SEL}}[${RATE}])))) / sum by (http_route) (rate(${HTTP}_count{${SEL}}[${RATE}]))`,
          '{{http_route}}',
        ),
      ],
      { unit: 'percentunit', min: 0 },
    ),
    ts(
      'Client errors by route (4xx)',
      [prom(httpRate(', http_response_status_code=~"4.."', 'http_route'), '{{http_route}}')],
      {
        unit: 'reqps',
      },
    ),
    ts(
      'Latency p50 / p95 / p99',
      [
        prom(quantile(0.5, HTTP), 'p50'),
        prom(quantile(0.95, HTTP), 'p95'),
        prom(quantile(0.99, HTTP), 'p99'),
        storedTraces(0.95),
      ],
      { unit: 's' },
    ),
    ts('p99 latency by route', [prom(quantile(0.99, HTTP, '', 'http_route'), '{{http_route}}'), storedTraces(0.99)], {
      unit: 's',
    }),
    ts(
      'Mean latency by route',
      [
        prom(
          `sum by (http_route) (rate(${HTTP}_sum{${SEL}}[${RATE}])) / sum by (http_route) (rate(${HTTP}_count{${SEL}}[${RATE}]))`,
          '{{http_route}}',
        ),
      ],
      { unit: 's' },
    ),
    ts(
      'Span calls by operation (span metrics, before sampling)',
      [prom(rate('traces_span_metrics_calls_total', 'span_name, status_code'), '{{span_name}} {{status_code}}')],
      { unit: 'reqps' },
    ),
    { row: 'Traces' },
    {
      title: 'Slow traces (> 400 ms)',
      type: 'table',
      targets: [traceql('{resource.service.name=~"$service" && kind=server && duration > 400ms}')],
      w: 12,
      h: 10,
    },
    {
      title: 'Traces with errors',
      type: 'table',
      targets: [traceql('{resource.service.name=~"$service" && status=error}')],
      w: 12,
      h: 10,
    },
    {
      title: 'Service map',
      type: 'nodeGraph',
      description: 'From traces_service_graph_* written by the collector servicegraph connector (docker compose only).',
      targets: [serviceMap()],
      w: 24,
      h: 12,
    },
  ],
};

const chatProximity: DashboardSpec = {
  uid: 'sightline-chat-proximity',
  title: 'Chat & Proximity',
  description: 'Chat, rooms, Socket.IO traffic, presence and nearby queries (spec 001 §9).',
  tags: ['chat', 'proximity', 'socketio'],
  items: [
    ts(
      'Chat sends and receipts',
      [
        prom(rate('divan_chat_send_total'), 'sent'),
        prom(rate('divan_chat_delivered_updates_total'), 'delivered updates'),
        prom(rate('divan_chat_read_updates_total'), 'read updates'),
      ],
      { unit: 'ops' },
    ),
    ts(
      'Rooms',
      [
        prom(rate('divan_rooms_created_total'), 'created'),
        prom(rate('divan_rooms_join_total'), 'joins'),
        prom(rate('divan_rooms_send_total'), 'messages'),
      ],
      { unit: 'ops' },
    ),
    ts(
      'Socket.IO events by namespace and event',
      [prom(rate('divan_socketio_events_total', 'namespace, event'), '{{namespace}} {{event}}')],
      {
        unit: 'ops',
      },
    ),
    ts('Socket.IO messages by type', [prom(rate('divan_socketio_messages_total', 'type'), '{{type}}')], {
      unit: 'ops',
    }),
    ts(
      'Socket.IO clients by namespace',
      [prom(`sum by (namespace) (divan_socketio_clients{${SEL}})`, '{{namespace}}')],
      {
        unit: 'short',
      },
    ),
    ts('Room size (debug gauge)', [prom(`max by (namespace) (divan_socketio_room_size{${SEL}})`, '{{namespace}}')], {
      unit: 'short',
    }),
    { row: 'Proximity and presence' },
    ts('Nearby queries by radius', [prom(rate('divan_proximity_queries_total', 'radius'), '{{radius}} m')], {
      unit: 'ops',
    }),
    ts(
      'Nearby query p95 by radius',
      [prom(quantile(0.95, 'divan_proximity_query_duration_seconds', '', 'radius'), '{{radius}} m')],
      {
        unit: 's',
        thresholds: [[0.12, 'red']],
      },
    ),
    ts('Presence heartbeats by campus', [prom(rate('divan_presence_heartbeats_total', 'campus_id'), '{{campus_id}}')], {
      unit: 'ops',
    }),
    ts('Presence rejects by reason', [prom(rate('divan_presence_rejects_total', 'reason'), '{{reason}}')], {
      unit: 'ops',
    }),
  ],
};

const authSecurity: DashboardSpec = {
  uid: 'sightline-auth-security',
  title: 'Auth & Security',
  description:
    'Logins, token lifecycle, failures by bounded prefixes, attacks and rate limiting (specs 000, 002, 003).',
  tags: ['auth', 'security'],
  items: [
    stat('Active sessions', [prom(`sum(divan_auth_sessions_active{${SEL}})`)], { unit: 'short' }),
    stat(
      'Login success ratio',
      [
        prom(
          `sum(rate(divan_identity_logins_total{${SEL}, outcome="success"}[${RATE}])) / sum(rate(divan_identity_logins_total{${SEL}}[${RATE}]))`,
        ),
      ],
      { unit: 'percentunit', min: 0, max: 1 },
    ),
    stat(
      'Security events (range)',
      [prom(`sum(increase(divan_security_events_total{${SEL}}[$__range])) or vector(0)`)],
      {
        thresholds: [[1, 'red']],
      },
    ),
    stat(
      'Blocked requests (range)',
      [prom(`sum(increase(divan_blocked_requests_total{${SEL}}[$__range])) or vector(0)`)],
      {
        thresholds: [[1, 'orange']],
      },
    ),
    ts('Logins by outcome', [prom(rate('divan_identity_logins_total', 'outcome'), '{{outcome}}')], {
      unit: 'ops',
      stacked: true,
    }),
    ts('Auth failures by reason', [prom(rate('divan_auth_failures_total', 'reason'), '{{reason}}')], { unit: 'ops' }),
    ts(
      'Top failing IP prefixes',
      [prom(`topk(10, ${rate('divan_auth_failures_by_ip_total', 'ip_prefix')})`, '{{ip_prefix}}')],
      {
        unit: 'ops',
      },
    ),
    ts(
      'Top failing user id prefixes',
      [prom(`topk(10, ${rate('divan_auth_failures_by_user_total', 'user_id_prefix')})`, '{{user_id_prefix}}')],
      { unit: 'ops' },
    ),
    ts('Identity rejects by reason', [prom(rate('divan_identity_rejects_total', 'reason'), '{{reason}}')], {
      unit: 'ops',
    }),
    { row: 'Tokens' },
    ts('Tokens issued / revoked', [
      prom(rate('divan_tokens_issued_total', 'token_type'), 'issued {{token_type}}'),
      prom(rate('divan_tokens_revoked_total', 'token_type'), 'revoked {{token_type}}'),
    ]),
    ts('Refresh rotations and failures', [
      prom(rate('divan_refresh_rotations_total'), 'rotations'),
      prom(rate('divan_refresh_failures_total', 'reason'), 'failure {{reason}}'),
    ]),
    ts('Signed intents', [
      prom(rate('divan_intents_verified_total'), 'verified'),
      prom(rate('divan_intents_failed_sig_total'), 'bad signature'),
      prom(rate('divan_intents_replay_total'), 'replay'),
    ]),
    { row: 'Attacks and limits' },
    ts('Security events by type', [prom(rate('divan_security_events_total', 'type'), '{{type}}')], { unit: 'ops' }),
    ts('Rate-limit hits by bucket', [prom(rate('divan_rate_limit_hits_total', 'bucket'), '{{bucket}}')], {
      unit: 'ops',
    }),
    ts('Blocked requests by reason', [prom(rate('divan_blocked_requests_total', 'reason'), '{{reason}}')], {
      unit: 'ops',
    }),
    ts(
      'Top request IP prefixes',
      [prom(`topk(10, ${rate('divan_requests_by_ip_total', 'ip_prefix')})`, '{{ip_prefix}}')],
      {
        unit: 'reqps',
      },
    ),
  ],
};

const business: DashboardSpec = {
  uid: 'sightline-business',
  title: 'Business / Domain',
  description: 'Social graph, activities and community growth; opt-in series stay empty until enabled.',
  tags: ['business'],
  from: 'now-24h',
  items: [
    ts('Invites sent / accepted', [
      prom(rate('divan_invites_sent_total'), 'sent'),
      prom(rate('divan_invites_accept_total'), 'accepted'),
    ]),
    stat(
      'Invite acceptance (range)',
      [
        prom(
          `sum(increase(divan_invites_accept_total{${SEL}}[$__range])) / sum(increase(divan_invites_sent_total{${SEL}}[$__range]))`,
        ),
      ],
      { unit: 'percentunit', w: 6, h: 8 },
    ),
    stat(
      'Friendships accepted (range)',
      [prom(`sum(increase(divan_friendships_accepted_total{${SEL}}[$__range])) or vector(0)`)],
      {
        w: 6,
        h: 8,
      },
    ),
    ts('Activities created by kind', [prom(rate('divan_activities_created_total', 'kind'), '{{kind}}')], {
      stacked: true,
    }),
    ts('Activities completed by kind', [prom(rate('divan_activities_completed_total', 'kind'), '{{kind}}')], {
      stacked: true,
    }),
    { row: 'Community (opt-in)' },
    ts('Posts, events and RSVPs', [
      prom(rate('divan_community_posts_created_total'), 'posts'),
      prom(rate('divan_events_created_total'), 'events'),
      prom(rate('divan_event_rsvps_updated_total'), 'RSVP updates'),
    ]),
    ts(
      'Cache hit ratio by cache',
      [
        prom(
          `sum by (cache) (rate(divan_cache_requests_total{${SEL}, result="hit"}[${RATE}])) / sum by (cache) (rate(divan_cache_requests_total{${SEL}}[${RATE}]))`,
          '{{cache}}',
        ),
      ],
      { unit: 'percentunit', min: 0, max: 1 },
    ),
    ts('Workflow executions by type and status', [
      prom(rate('divan_workflow_executions_total', 'workflow_type, status'), '{{workflow_type}} {{status}}'),
    ]),
    ts(
      'Workflow p95 duration by type',
      [prom(quantile(0.95, 'divan_workflow_duration_seconds', '', 'workflow_type'), '{{workflow_type}}')],
      {
        unit: 's',
      },
    ),
    ts('Unhandled exceptions by type', [prom(rate('divan_unhandled_exceptions_total', 'type'), '{{type}}')], {
      unit: 'ops',
    }),
  ],
};

const jobsLeaderboards: DashboardSpec = {
  uid: 'sightline-jobs-leaderboards',
  title: 'Jobs & Leaderboards',
  description: 'Background jobs, leaderboard stream processing and Redis stream lag (spec 001 §9).',
  tags: ['jobs', 'leaderboards', 'redis'],
  items: [
    ts('Job runs by name and result', [prom(rate('divan_jobs_runs_total', 'name, result'), '{{name}} {{result}}')], {
      unit: 'ops',
    }),
    ts(
      'Job failure ratio by name',
      [
        prom(
          `(sum by (name) (rate(divan_jobs_runs_total{${SEL}, result="failure"}[${RATE}])) or (0 * sum by (name) (rate(divan_jobs_runs_total{${SEL}}[${RATE}])))) / sum by (name) (rate(divan_jobs_runs_total{${SEL}}[${RATE}]))`,
          '{{name}}',
        ),
      ],
      { unit: 'percentunit', min: 0 },
    ),
    ts('Job p95 duration by name', [prom(quantile(0.95, 'divan_jobs_duration_seconds', '', 'name'), '{{name}}')], {
      unit: 's',
    }),
    ts('Redis stream lag by stream', [prom(`max by (stream) (divan_redis_queue_lag{${SEL}})`, '{{stream}}')], {
      unit: 'short',
      thresholds: [[1000, 'red']],
    }),
    ts(
      'Leaderboard events processed by stream',
      [prom(rate('divan_lb_events_processed_total', 'stream'), '{{stream}}')],
      {
        unit: 'ops',
      },
    ),
    ts('Leaderboard snapshots by period and scope', [
      prom(`sum by (period, scope) (increase(divan_lb_snapshots_total{${SEL}}[1h]))`, '{{period}} {{scope}}'),
    ]),
    ts(
      'Snapshot job duration (p95)',
      [
        prom(
          quantile(0.95, 'divan_jobs_duration_seconds', ', name=~".*(snapshot|rollover|leaderboard).*"', 'name'),
          '{{name}}',
        ),
      ],
      { unit: 's', w: 24 },
    ),
  ],
};

const slo: DashboardSpec = {
  uid: 'sightline-slo',
  title: 'SLO & Error Budget',
  description: `Availability SLO ${AVAILABILITY_SLO * 100}% non-5xx and latency SLO p95 < ${Number(LATENCY_SLO_SECONDS) * 1000} ms over 30 days (spec 000).`,
  tags: ['slo'],
  from: 'now-7d',
  items: [
    stat(
      'Availability (30d)',
      [
        prom(
          `1 - ((sum(increase(${HTTP}_count{${SEL}, http_response_status_code=~"5.."}[30d])) or vector(0)) / sum(increase(${HTTP}_count{${SEL}}[30d])))`,
        ),
      ],
      { unit: 'percentunit', thresholds: [[AVAILABILITY_SLO, 'green']], w: 8 },
    ),
    stat(
      'Error budget remaining (30d)',
      [
        prom(
          `1 - ((sum(increase(${HTTP}_count{${SEL}, http_response_status_code=~"5.."}[30d])) or vector(0)) / sum(increase(${HTTP}_count{${SEL}}[30d]))) / ${(1 - AVAILABILITY_SLO).toFixed(3)}`,
        ),
      ],
      {
        unit: 'percentunit',
        w: 8,
        thresholds: [
          [0, 'red'],
          [0.25, 'orange'],
          [0.5, 'green'],
        ],
      },
    ),
    stat(
      `Requests under ${Number(LATENCY_SLO_SECONDS) * 1000} ms (30d)`,
      [
        prom(
          `sum(increase(${HTTP}_bucket{${SEL}, le="${LATENCY_SLO_SECONDS}"}[30d])) / sum(increase(${HTTP}_count{${SEL}}[30d]))`,
        ),
      ],
      { unit: 'percentunit', w: 8 },
    ),
    // Burn rates read the SLI recording rules that the multi-window alerts also use.
    ts(
      'Availability error-budget burn rate',
      [
        prom(
          `max(service:slo_availability_errors:ratio_rate1h{${SEL}}) / ${(1 - AVAILABILITY_SLO).toFixed(3)}`,
          'burn 1h',
        ),
        prom(
          `max(service:slo_availability_errors:ratio_rate6h{${SEL}}) / ${(1 - AVAILABILITY_SLO).toFixed(3)}`,
          'burn 6h',
        ),
        prom(
          `max(service:slo_availability_errors:ratio_rate3d{${SEL}}) / ${(1 - AVAILABILITY_SLO).toFixed(3)}`,
          'burn 3d',
        ),
      ],
      {
        description: 'A burn rate of 14.4 spends 2 % of a 30-day budget in one hour (fast-burn page).',
        thresholds: [
          [6, 'orange'],
          [14.4, 'red'],
        ],
      },
    ),
    ts(
      'Latency error-budget burn rate',
      [
        prom(`max(service:slo_latency_errors:ratio_rate1h{${SEL}}) / ${LATENCY_BUDGET}`, 'burn 1h'),
        prom(`max(service:slo_latency_errors:ratio_rate6h{${SEL}}) / ${LATENCY_BUDGET}`, 'burn 6h'),
      ],
      {
        description: `Share of requests slower than ${Number(LATENCY_SLO_SECONDS) * 1000} ms, divided by the ${LATENCY_BUDGET} budget.`,
        thresholds: [
          [6, 'orange'],
          [14.4, 'red'],
        ],
      },
    ),
    ts(
      'Dependency SLI errors (1h)',
      [
        prom(`max(service:slo_redis_errors:ratio_rate1h{${SEL}})`, 'redis down share'),
        prom(`max(service:slo_postgres_errors:ratio_rate1h{${SEL}})`, 'postgres down share'),
      ],
      { unit: 'percentunit', min: 0 },
    ),
    ts(
      'p95 latency vs SLO',
      [prom(quantile(0.95, HTTP), 'p95'), prom(`vector(${LATENCY_SLO_SECONDS})`, 'SLO'), storedTraces(0.95)],
      {
        unit: 's',
      },
    ),
    ts(
      'Dependency availability',
      [
        prom(`avg_over_time(min(divan_redis_up{${SEL}})[1h:])`, 'redis'),
        prom(`avg_over_time(min(divan_postgres_up{${SEL}})[1h:])`, 'postgres'),
      ],
      { unit: 'percentunit', min: 0, max: 1 },
    ),
  ],
};

const collectorVariables: VariableSpec[] = [
  ...serviceVariables,
  {
    name: 'instance',
    label: 'Collector',
    query: 'label_values(otelcol_process_uptime{job="otel-collector"}, instance)',
    allValue: '.+',
  },
];
const COL = 'job="otel-collector", instance=~"$instance"';

const collectorPipeline: DashboardSpec = {
  uid: 'sightline-collector',
  title: 'Collector Pipeline Health',
  description:
    'What the otel-collector accepted, refused, sent and failed, how full its queues are, and what tail sampling kept. Self-metrics scraped from :8888.',
  tags: ['collector'],
  variables: collectorVariables,
  items: [
    ts(
      'Accepted by the receiver',
      [
        prom(`sum by (receiver) (rate(otelcol_receiver_accepted_spans{${COL}}[${RATE}]))`, 'spans {{receiver}}'),
        prom(
          `sum by (receiver) (rate(otelcol_receiver_accepted_metric_points{${COL}}[${RATE}]))`,
          'metric points {{receiver}}',
        ),
        prom(
          `sum by (receiver) (rate(otelcol_receiver_accepted_log_records{${COL}}[${RATE}]))`,
          'log records {{receiver}}',
        ),
      ],
      { unit: 'cps' },
    ),
    ts(
      'Refused and failed at the receiver',
      [
        prom(`sum by (receiver) (rate(otelcol_receiver_refused_spans{${COL}}[${RATE}]))`, 'refused spans'),
        prom(
          `sum by (receiver) (rate(otelcol_receiver_refused_metric_points{${COL}}[${RATE}]))`,
          'refused metric points',
        ),
        prom(`sum by (receiver) (rate(otelcol_receiver_refused_log_records{${COL}}[${RATE}]))`, 'refused log records'),
        prom(`sum by (receiver) (rate(otelcol_receiver_failed_spans{${COL}}[${RATE}]))`, 'failed spans'),
        prom(`sum by (receiver) (rate(otelcol_receiver_failed_log_records{${COL}}[${RATE}]))`, 'failed log records'),
      ],
      { unit: 'cps', description: 'Refusals come from memory_limiter: the SDK retries them.' },
    ),
    ts(
      'Sent by exporter',
      [
        prom(`sum by (exporter) (rate(otelcol_exporter_sent_spans{${COL}}[${RATE}]))`, 'spans {{exporter}}'),
        prom(
          `sum by (exporter) (rate(otelcol_exporter_sent_metric_points{${COL}}[${RATE}]))`,
          'metric points {{exporter}}',
        ),
        prom(
          `sum by (exporter) (rate(otelcol_exporter_sent_log_records{${COL}}[${RATE}]))`,
          'log records {{exporter}}',
        ),
      ],
      { unit: 'cps' },
    ),
    ts(
      'Send and enqueue failures by exporter',
      [
        prom(`sum by (exporter) (rate(otelcol_exporter_send_failed_spans{${COL}}[${RATE}]))`, 'spans {{exporter}}'),
        prom(
          `sum by (exporter) (rate(otelcol_exporter_send_failed_metric_points{${COL}}[${RATE}]))`,
          'metric points {{exporter}}',
        ),
        prom(
          `sum by (exporter) (rate(otelcol_exporter_send_failed_log_records{${COL}}[${RATE}]))`,
          'log records {{exporter}}',
        ),
        prom(
          `sum by (exporter) (rate(otelcol_exporter_enqueue_failed_spans{${COL}}[${RATE}]))`,
          'enqueue spans {{exporter}}',
        ),
        prom(
          `sum by (exporter) (rate(otelcol_exporter_enqueue_failed_log_records{${COL}}[${RATE}]))`,
          'enqueue logs {{exporter}}',
        ),
      ],
      { unit: 'cps' },
    ),
    ts(
      'Sending queue fill',
      [
        prom(
          `max by (exporter) (otelcol_exporter_queue_size{${COL}}) / max by (exporter) (otelcol_exporter_queue_capacity{${COL}})`,
          '{{exporter}}',
        ),
      ],
      { unit: 'percentunit', min: 0, max: 1, thresholds: [[0.8, 'red']] },
    ),
    ts(
      'Export requests in flight',
      [prom(`sum by (exporter) (otelcol_exporter_in_flight_requests{${COL}})`, '{{exporter}}')],
      {
        unit: 'short',
      },
    ),
    { row: 'Tail sampling' },
    ts(
      'Sampling decisions (any policy)',
      [
        prom(
          `sum by (decision) (rate(otelcol_processor_tail_sampling_global_count_traces_sampled{${COL}}[${RATE}]))`,
          '{{decision}}',
        ),
      ],
      { unit: 'cps', stacked: true },
    ),
    ts(
      'Traces kept by policy',
      [
        prom(
          `sum by (policy) (rate(otelcol_processor_tail_sampling_count_traces_sampled{${COL}, sampled="true"}[${RATE}]))`,
          '{{policy}}',
        ),
      ],
      { unit: 'cps' },
    ),
    ts(
      'Traces waiting for a decision',
      [
        prom(`sum(otelcol_processor_tail_sampling_sampling_traces_on_memory{${COL}})`, 'in memory'),
        prom(
          `sum(rate(otelcol_processor_tail_sampling_sampling_trace_dropped_too_early{${COL}}[${RATE}]))`,
          'dropped too early /s',
        ),
      ],
      { unit: 'short' },
    ),
    ts(
      'Health-check spans dropped',
      [prom(`sum(rate(otelcol_processor_filter_spans_filtered{${COL}}[${RATE}]))`, 'filtered')],
      { unit: 'cps' },
    ),
    { row: 'Process and span metrics' },
    ts(
      'Collector memory',
      [
        prom(`max by (instance) (otelcol_process_memory_rss{${COL}})`, 'RSS {{instance}}'),
        prom(`max by (instance) (otelcol_process_runtime_heap_alloc_bytes{${COL}})`, 'heap {{instance}}'),
      ],
      { unit: 'bytes' },
    ),
    ts(
      'Collector CPU',
      [prom(`sum by (instance) (rate(otelcol_process_cpu_seconds{${COL}}[${RATE}]))`, '{{instance}}')],
      {
        unit: 'percentunit',
      },
    ),
    ts(
      'Spans per service (span metrics, before sampling)',
      [prom(rate('traces_span_metrics_calls_total', 'service_name'), '{{service_name}}')],
      { unit: 'cps', w: 24 },
    ),
  ],
};

const nodeRuntime: DashboardSpec = {
  uid: 'sightline-nodejs-runtime',
  title: 'Node.js Runtime',
  description: 'Event loop, V8 heap and GC from @opentelemetry/instrumentation-runtime-node.',
  tags: ['nodejs', 'runtime'],
  items: [
    ts(
      'Event loop delay',
      [
        prom(`max by (instance) (nodejs_eventloop_delay_p50_seconds{${SEL}})`, 'p50 {{instance}}'),
        prom(`max by (instance) (nodejs_eventloop_delay_p99_seconds{${SEL}})`, 'p99 {{instance}}'),
        prom(`max by (instance) (nodejs_eventloop_delay_max_seconds{${SEL}})`, 'max {{instance}}'),
      ],
      { unit: 's' },
    ),
    ts(
      'Event loop utilization',
      [prom(`max by (instance) (nodejs_eventloop_utilization_ratio{${SEL}})`, '{{instance}}')],
      {
        unit: 'percentunit',
        min: 0,
        max: 1,
      },
    ),
    ts(
      'V8 heap used by space',
      [prom(`sum by (v8js_heap_space_name) (v8js_memory_heap_used_bytes{${SEL}})`, '{{v8js_heap_space_name}}')],
      { unit: 'bytes', stacked: true },
    ),
    ts(
      'V8 heap used vs reserved',
      [
        prom(`sum by (instance) (v8js_memory_heap_used_bytes{${SEL}})`, 'used {{instance}}'),
        prom(`sum by (instance) (v8js_memory_heap_space_size_bytes{${SEL}})`, 'reserved {{instance}}'),
      ],
      { unit: 'bytes' },
    ),
    ts(
      'GC time per second by type',
      [prom(`sum by (v8js_gc_type) (rate(v8js_gc_duration_seconds_sum{${SEL}}[${RATE}]))`, '{{v8js_gc_type}}')],
      { unit: 'percentunit' },
    ),
    ts('GC pauses p99', [prom(quantile(0.99, 'v8js_gc_duration_seconds', '', 'v8js_gc_type'), '{{v8js_gc_type}}')], {
      unit: 's',
    }),
  ],
};

const doraPayments: DashboardSpec = {
  uid: 'sightline-dora-payments',
  title: 'DORA & Payments (opt-in)',
  description: 'Delivery performance and payment health (spec 002); empty until the opt-in instruments are enabled.',
  tags: ['dora', 'payments', 'opt-in'],
  from: 'now-7d',
  items: [
    stat('Deployments (range)', [prom(`sum(increase(divan_deployments_total{${SEL}}[$__range])) or vector(0)`)], {
      w: 6,
    }),
    stat(
      'Change failure rate (range)',
      [
        prom(
          `(sum(increase(divan_deployments_total{${SEL}, result="failure"}[$__range])) or vector(0)) / sum(increase(divan_deployments_total{${SEL}}[$__range]))`,
        ),
      ],
      { unit: 'percentunit', w: 6 },
    ),
    stat(
      'Lead time p50',
      [
        prom(
          `histogram_quantile(0.5, sum by (le) (increase(divan_deployment_lead_time_seconds_bucket{${SEL}}[$__range])))`,
        ),
      ],
      {
        unit: 's',
        w: 6,
      },
    ),
    stat(
      'Mean time to recovery',
      [
        prom(
          `sum(increase(divan_incident_recovery_seconds_sum{${SEL}}[$__range])) / sum(increase(divan_incident_recovery_seconds_count{${SEL}}[$__range]))`,
        ),
      ],
      { unit: 's', w: 6 },
    ),
    ts('Deployments per day by result', [
      prom(`sum by (result) (increase(divan_deployments_total{${SEL}}[1d]))`, '{{result}}'),
    ]),
    ts('Payment value by currency (cents/s)', [prom(rate('divan_payments_value_total', 'currency'), '{{currency}}')]),
    ts('Payment failures by reason', [prom(rate('divan_payments_failures_total', 'reason'), '{{reason}}')], {
      unit: 'ops',
    }),
    ts('Active subscriptions by plan', [prom(`sum by (plan) (divan_subscriptions_active{${SEL}})`, '{{plan}}')]),
    ts('Subscription failures by reason', [prom(rate('divan_subscriptions_failures_total', 'reason'), '{{reason}}')], {
      unit: 'ops',
    }),
    ts(
      'Webhook events by provider and outcome',
      [prom(rate('divan_webhook_events_total', 'provider, outcome'), '{{provider}} {{outcome}}')],
      {
        unit: 'ops',
      },
    ),
  ],
};

/** Every provisioned dashboard, keyed by its file name under grafana/dashboards/. */
export const dashboards: Record<string, DashboardSpec> = {
  'backend-overview.json': backendOverview,
  'http-red.json': httpRed,
  'chat-proximity.json': chatProximity,
  'auth-security.json': authSecurity,
  'business.json': business,
  'jobs-leaderboards.json': jobsLeaderboards,
  'slo.json': slo,
  'collector.json': collectorPipeline,
  'nodejs-runtime.json': nodeRuntime,
  'dora-payments.json': doraPayments,
  'host.json': hostDashboard,
  'web-vitals.json': webVitalsDashboard,
};
