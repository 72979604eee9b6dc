// Divan's metric catalog: every domain, auth, security, realtime and infrastructure metric the reference
// service defines, with the spec documents that name each one (for the README table). The SDK's own
// metrics (jobs, Socket.IO clients and events, unhandled exceptions) are defined by @sightline/node;
// their spec references are in ./docs.ts.
import { defineCatalog } from '@sightline/node';
import type { DivanMetricDefinition, SpecMapping } from './docs.js';

/** Latency of a round trip to a dependency or a query, in seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5];
/** Background work: from a quick sweep to a long rollover. */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Divan's metric namespace: `divan.chat.send` -> `divan_chat_send_total`. */
export const NAMESPACE = 'divan';

/** The label sets Divan configures at start-up (its campus list, its activity kinds). */
const DOMAIN_LABEL_SETS = {
  campusIds: { max: 200, defaults: [] },
  activityKinds: { max: 32, defaults: ['study', 'sport', 'social', 'game', 'event'] },
} as const;

/** The label sets of the opt-in business metrics. */
const BUSINESS_LABEL_SETS = {
  currencies: {
    max: 32,
    defaults: ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'CNY', 'INR', 'BRL', 'ZAR', 'TRY'],
  },
  plans: { max: 16, defaults: ['free', 'basic', 'pro', 'enterprise'] },
  webhookProviders: { max: 8, defaults: ['stripe'] },
  workflowTypes: { max: 16, defaults: ['struggle', 'audit'] },
} as const;
/** Commit-to-deploy and incident-to-recovery times: minutes to a week. */
const LONG_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400, 259200, 604800];

const RADIUS = { kind: 'radius_bucket', buckets: [50, 100, 250, 500, 1000] } as const;
const IP_PREFIX = { kind: 'ip_prefix', maxValues: 1000 } as const;

/**
 * The metrics Divan emits: auth and security, rate limiting, realtime, the spec 001 §4 domain and
 * infrastructure. `createDomainMetrics` returns a recorder for each synchronous one.
 */
const DOMAIN_METRICS = {
  // --- auth & security ---
  intentsVerified: {
    name: 'intents.verified',
    kind: 'counter',
    unit: '{intent}',
    description: 'Signed intents whose signature verified',
    group: 'auth',
    labels: {},
    specs: [{ spec: '000', name: 'intents_verified_total' }],
  },
  intentsFailedSig: {
    name: 'intents.failed_sig',
    kind: 'counter',
    unit: '{intent}',
    description: 'Signed intents whose signature failed to verify',
    group: 'auth',
    labels: {},
    specs: [{ spec: '000', name: 'intents_failed_sig_total' }],
  },
  intentsReplay: {
    name: 'intents.replay',
    kind: 'counter',
    unit: '{intent}',
    description: 'Signed intents rejected as replays',
    group: 'auth',
    labels: {},
    specs: [{ spec: '000', name: 'intents_replay_total' }],
  },
  identityLogins: {
    name: 'identity.logins',
    kind: 'counter',
    unit: '{login}',
    description: 'Login attempts by outcome',
    group: 'auth',
    labels: { outcome: { kind: 'enum', values: ['success', 'fail', 'locked'] } },
    specs: [
      { spec: '000', name: 'divan_identity_logins_total' },
      { spec: '002', name: 'auth_attempts_total', note: '`type="login"`; `success` -> `outcome`' },
      { spec: '004', name: 'login attempts (success/failure)', named: false },
      { spec: '004', name: 'account lockouts', named: false, note: '`outcome="locked"`' },
    ],
  },
  identityRejects: {
    name: 'identity.rejects',
    kind: 'counter',
    unit: '{reject}',
    description: 'Requests the identity layer rejected, by reason',
    group: 'auth',
    labels: {
      reason: {
        kind: 'enum',
        values: ['missing_token', 'invalid_token', 'expired_token', 'revoked_token', 'locked', 'validation'],
      },
    },
    specs: [{ spec: '000', name: 'divan_identity_rejects_total' }],
  },
  authFailures: {
    name: 'auth.failures',
    kind: 'counter',
    unit: '{failure}',
    description: 'Authentication failures by reason',
    group: 'auth',
    labels: {
      reason: {
        kind: 'enum',
        values: ['invalid_credentials', 'inactive_user', 'invalid_token', 'expired_token', 'missing_token', 'locked'],
      },
    },
    specs: [{ spec: '003', name: 'auth_failures_total' }],
  },
  authFailuresByIp: {
    name: 'auth.failures.by_ip',
    kind: 'counter',
    unit: '{failure}',
    description: 'Authentication failures by client IP prefix',
    group: 'auth',
    labels: { ip_prefix: IP_PREFIX },
    specs: [
      { spec: '000', name: 'divan_auth_failures_by_ip' },
      { spec: '000', name: 'auth_failure_count', note: 'per minute per IP: `rate(...[1m]) * 60`; per user below' },
    ],
  },
  authFailuresByUser: {
    name: 'auth.failures.by_user',
    kind: 'counter',
    unit: '{failure}',
    description: 'Authentication failures by user-id prefix',
    group: 'auth',
    labels: { user_id_prefix: { kind: 'user_id_prefix' } },
    specs: [{ spec: '000', name: 'divan_auth_failures_by_user' }],
  },
  refreshRotations: {
    name: 'refresh.rotations',
    kind: 'counter',
    unit: '{rotation}',
    description: 'Refresh tokens rotated',
    group: 'auth',
    labels: {},
    specs: [
      { spec: '000', name: 'divan_refresh_rotations_total' },
      { spec: '003', name: 'auth_token_refreshes_total', note: '`status="success"`' },
    ],
  },
  refreshFailures: {
    name: 'refresh.failures',
    kind: 'counter',
    unit: '{failure}',
    description: 'Refresh attempts that failed, by reason (reuse means a stolen token family)',
    group: 'auth',
    labels: { reason: { kind: 'enum', values: ['missing', 'invalid', 'expired', 'revoked', 'reused'] } },
    specs: [
      { spec: '000', name: 'divan_refresh_failures_total' },
      { spec: '003', name: 'auth_token_refreshes_total', note: '`status="failure"`' },
    ],
  },
  tokensIssued: {
    name: 'tokens.issued',
    kind: 'counter',
    unit: '{token}',
    description: 'Tokens issued by type',
    group: 'auth',
    labels: { token_type: { kind: 'enum', values: ['access', 'refresh'] } },
    specs: [{ spec: '003', name: 'tokens_issued_total' }],
  },
  tokensRevoked: {
    name: 'tokens.revoked',
    kind: 'counter',
    unit: '{token}',
    description: 'Tokens revoked by type',
    group: 'auth',
    labels: { token_type: { kind: 'enum', values: ['access', 'refresh'] } },
    specs: [{ spec: '003', name: 'tokens_revoked_total' }],
  },
  authSessionsActive: {
    name: 'auth.sessions.active',
    kind: 'updown',
    unit: '{session}',
    description: 'Sessions (live refresh-token families) currently active',
    group: 'auth',
    labels: {},
    specs: [{ spec: '002', name: 'auth_active_sessions' }],
  },
  securityEvents: {
    name: 'security.events',
    kind: 'counter',
    unit: '{event}',
    description: 'Detected attacks and suspicious requests, by type',
    group: 'auth',
    labels: {
      type: {
        kind: 'enum',
        values: ['directory_traversal', 'sql_injection', 'xss', 'token_reuse', 'brute_force', 'other'],
      },
    },
    specs: [{ spec: '002', name: 'security_events_total' }],
  },

  // --- rate limiting ---
  rateLimitHits: {
    name: 'rate_limit.hits',
    kind: 'counter',
    unit: '{hit}',
    description: 'Requests that exhausted a rate-limit bucket',
    group: 'rate_limit',
    labels: { bucket: { kind: 'identifier', maxValues: 32 } },
    specs: [
      { spec: '000', name: 'divan_rate_limit_hits_total' },
      { spec: '003', name: 'rate_limit_hits_total', note: '`endpoint` -> `bucket`; `client_id` dropped (unbounded)' },
    ],
  },
  blockedRequests: {
    name: 'blocked_requests',
    kind: 'counter',
    unit: '{request}',
    description: 'Requests refused before reaching a handler, by reason',
    group: 'rate_limit',
    labels: { reason: { kind: 'enum', values: ['rate_limit', 'lockout', 'security', 'ip_blocked'] } },
    specs: [{ spec: '000', name: 'divan_blocked_requests_total' }],
  },
  requestsByIp: {
    name: 'requests.by_ip',
    kind: 'counter',
    unit: '{request}',
    description: 'Requests by client IP prefix',
    group: 'rate_limit',
    labels: { ip_prefix: IP_PREFIX },
    specs: [
      {
        spec: '000',
        name: 'divan_requests_per_minute_ip',
        note: 'a counter; per minute is `rate(...[1m]) * 60`',
      },
    ],
  },

  // --- realtime ---
  socketioMessages: {
    name: 'socketio.messages',
    kind: 'counter',
    unit: '{message}',
    description: 'Realtime messages by type',
    group: 'realtime',
    labels: { type: { kind: 'enum', values: ['auth', 'chat', 'ping', 'presence', 'typing', 'receipt'] } },
    specs: [{ spec: '002', name: 'websocket_messages_total' }],
  },

  // --- domain, spec 001 §4 ---
  presenceHeartbeats: {
    name: 'presence.heartbeats',
    kind: 'counter',
    unit: '{heartbeat}',
    description: 'Presence heartbeats accepted, per campus',
    group: 'domain',
    labels: { campus_id: { kind: 'configured', set: 'campusIds' } },
    specs: [
      { spec: '000', name: 'divan_presence_heartbeats_total' },
      { spec: '001', name: 'divan_presence_heartbeats_total' },
    ],
  },
  presenceRejects: {
    name: 'presence.rejects',
    kind: 'counter',
    unit: '{heartbeat}',
    description: 'Presence heartbeats rejected, by reason',
    group: 'domain',
    labels: {
      reason: {
        kind: 'enum',
        values: ['validation', 'unknown_campus', 'outside_campus', 'stale', 'rate_limited', 'unauthenticated'],
      },
    },
    specs: [{ spec: '001', name: 'divan_presence_rejects_total' }],
  },
  proximityQueries: {
    name: 'proximity.queries',
    kind: 'counter',
    unit: '{query}',
    description: 'Nearby queries by radius bucket',
    group: 'domain',
    labels: { radius: RADIUS },
    specs: [
      { spec: '000', name: 'divan_proximity_queries_total' },
      { spec: '001', name: 'divan_proximity_queries_total' },
    ],
  },
  proximityQueryDuration: {
    name: 'proximity.query.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of nearby queries by radius bucket',
    group: 'domain',
    labels: { radius: RADIUS },
    buckets: LATENCY_BUCKETS,
    specs: [{ spec: '001', name: 'nearby query p95 panel (§9)', named: false }],
  },
  invitesSent: {
    name: 'invites.sent',
    kind: 'counter',
    unit: '{invite}',
    description: 'Friend invites sent',
    group: 'domain',
    labels: {},
    specs: [
      { spec: '000', name: 'divan_invites_sent_total' },
      { spec: '001', name: 'divan_invites_sent_total' },
    ],
  },
  invitesAccept: {
    name: 'invites.accept',
    kind: 'counter',
    unit: '{invite}',
    description: 'Friend invites accepted',
    group: 'domain',
    labels: {},
    specs: [{ spec: '001', name: 'divan_invites_accept_total' }],
  },
  friendshipsAccepted: {
    name: 'friendships.accepted',
    kind: 'counter',
    unit: '{friendship}',
    description: 'Friendships created',
    group: 'domain',
    labels: {},
    specs: [{ spec: '001', name: 'divan_friendships_accepted_total' }],
  },
  chatSend: {
    name: 'chat.send',
    kind: 'counter',
    unit: '{message}',
    description: 'Direct chat messages sent',
    group: 'domain',
    labels: {},
    specs: [
      { spec: '001', name: 'divan_chat_send_total' },
      { spec: '000', name: 'divan_messages_sent_total' },
    ],
  },
  chatDeliveredUpdates: {
    name: 'chat.delivered_updates',
    kind: 'counter',
    unit: '{update}',
    description: 'Chat delivery receipts recorded',
    group: 'domain',
    labels: {},
    specs: [{ spec: '001', name: 'divan_chat_delivered_updates_total' }],
  },
  chatReadUpdates: {
    name: 'chat.read_updates',
    kind: 'counter',
    unit: '{update}',
    description: 'Chat read receipts recorded',
    group: 'domain',
    labels: {},
    specs: [{ spec: '001', name: 'divan_chat_read_updates_total' }],
  },
  roomsCreated: {
    name: 'rooms.created',
    kind: 'counter',
    unit: '{room}',
    description: 'Chat rooms created',
    group: 'domain',
    labels: {},
    specs: [
      { spec: '000', name: 'divan_rooms_created_total' },
      { spec: '001', name: 'divan_rooms_created_total' },
    ],
  },
  roomsJoin: {
    name: 'rooms.join',
    kind: 'counter',
    unit: '{join}',
    description: 'Room joins',
    group: 'domain',
    labels: {},
    specs: [{ spec: '001', name: 'divan_rooms_join_total' }],
  },
  roomsSend: {
    name: 'rooms.send',
    kind: 'counter',
    unit: '{message}',
    description: 'Messages sent to rooms',
    group: 'domain',
    labels: {},
    specs: [{ spec: '001', name: 'divan_rooms_send_total' }],
  },
  activitiesCreated: {
    name: 'activities.created',
    kind: 'counter',
    unit: '{activity}',
    description: 'Activities created, by kind',
    group: 'domain',
    labels: { kind: { kind: 'configured', set: 'activityKinds' } },
    specs: [{ spec: '001', name: 'divan_activities_created_total' }],
  },
  activitiesCompleted: {
    name: 'activities.completed',
    kind: 'counter',
    unit: '{activity}',
    description: 'Activities completed, by kind',
    group: 'domain',
    labels: { kind: { kind: 'configured', set: 'activityKinds' } },
    specs: [{ spec: '001', name: 'divan_activities_completed_total' }],
  },
  lbEventsProcessed: {
    name: 'lb.events_processed',
    kind: 'counter',
    unit: '{event}',
    description: 'Leaderboard events consumed from a Redis stream',
    group: 'domain',
    labels: { stream: { kind: 'identifier', maxValues: 16 } },
    specs: [{ spec: '001', name: 'divan_lb_events_processed_total' }],
  },
  lbSnapshots: {
    name: 'lb.snapshots',
    kind: 'counter',
    unit: '{snapshot}',
    description: 'Leaderboard snapshots written, by period and scope',
    group: 'domain',
    labels: {
      period: { kind: 'enum', values: ['daily', 'weekly', 'monthly', 'all_time'] },
      scope: { kind: 'enum', values: ['global', 'campus', 'friends'] },
    },
    specs: [{ spec: '001', name: 'divan_lb_snapshots_total' }],
  },

  // --- infrastructure ---
  redisUp: {
    name: 'redis.up',
    kind: 'gauge',
    unit: '',
    description: 'Whether the last Redis ping succeeded (1) or not (0)',
    group: 'infrastructure',
    labels: {},
    specs: [
      { spec: '000', name: 'divan_redis_up' },
      { spec: '001', name: 'divan_redis_up' },
    ],
  },
  postgresUp: {
    name: 'postgres.up',
    kind: 'gauge',
    unit: '',
    description: 'Whether the last PostgreSQL round trip succeeded (1) or not (0)',
    group: 'infrastructure',
    labels: {},
    specs: [
      { spec: '000', name: 'divan_postgres_up' },
      { spec: '001', name: 'divan_postgres_up' },
    ],
  },
  redisLatency: {
    name: 'redis.latency',
    kind: 'histogram',
    unit: 's',
    description: 'Redis ping round-trip time',
    group: 'infrastructure',
    labels: {},
    buckets: LATENCY_BUCKETS,
    specs: [
      { spec: '000', name: 'divan_redis_ping_latency_seconds', note: 'gauge -> histogram' },
      { spec: '001', name: 'divan_redis_latency_seconds', note: 'Summary -> histogram' },
    ],
  },
  postgresLatency: {
    name: 'postgres.latency',
    kind: 'histogram',
    unit: 's',
    description: 'PostgreSQL `SELECT 1` round-trip time',
    group: 'infrastructure',
    labels: {},
    buckets: LATENCY_BUCKETS,
    specs: [
      { spec: '000', name: 'divan_postgres_roundtrip_seconds', note: 'gauge -> histogram' },
      { spec: '001', name: 'divan_postgres_latency_seconds', note: 'Summary -> histogram' },
    ],
  },
  dbConnections: {
    name: 'db.connections',
    kind: 'updown',
    unit: '{connection}',
    description: 'PostgreSQL pool connections by state',
    group: 'infrastructure',
    labels: { state: { kind: 'enum', values: ['active', 'idle'] } },
    specs: [
      { spec: '000', name: 'divan_db_connections_active', note: '`state="active"`' },
      { spec: '003', name: 'database_connections_active', note: '`state="active"`' },
      { spec: '003', name: 'database_connections_idle', note: '`state="idle"`' },
      { spec: '004', name: 'database connection counts', named: false },
    ],
  },
  redisQueueLag: {
    name: 'redis.queue.lag',
    kind: 'gauge',
    unit: '{message}',
    description: 'Messages not yet acknowledged by the consumer group, per Redis stream',
    group: 'infrastructure',
    labels: { stream: { kind: 'identifier', maxValues: 16 } },
    specs: [
      { spec: '000', name: 'divan_redis_queue_lag' },
      { spec: '001', name: 'per-stream lag panel (§9)', named: false },
    ],
  },
} as const satisfies { readonly [id: string]: DivanMetricDefinition<keyof typeof DOMAIN_LABEL_SETS> };

export const domainCatalog = defineCatalog({
  namespace: NAMESPACE,
  labelSets: DOMAIN_LABEL_SETS,
  metrics: DOMAIN_METRICS,
});

/**
 * Business metrics of specs 000 and 002–004 that the reference service does not have behaviour for:
 * their views apply, but Divan creates no recorders for them.
 */
const BUSINESS_METRICS = {
  paymentsValue: {
    name: 'payments.value',
    kind: 'counter',
    unit: '{cent}',
    description: 'Value of successful payments, in minor currency units',
    group: 'business',
    labels: { currency: { kind: 'configured', set: 'currencies' } },
    specs: [{ spec: '002', name: 'stripe_payment_value_total' }],
  },
  paymentsFailures: {
    name: 'payments.failures',
    kind: 'counter',
    unit: '{payment}',
    description: 'Failed payments by reason',
    group: 'business',
    labels: {
      reason: {
        kind: 'enum',
        values: ['card_declined', 'insufficient_funds', 'expired_card', 'processing_error', 'fraud_suspected'],
      },
    },
    specs: [{ spec: '002', name: 'Stripe payments dashboard', named: false }],
  },
  subscriptionsActive: {
    name: 'subscriptions.active',
    kind: 'updown',
    unit: '{subscription}',
    description: 'Active subscriptions by plan',
    group: 'business',
    labels: { plan: { kind: 'configured', set: 'plans' } },
    specs: [
      { spec: '002', name: 'stripe_subscriptions_active' },
      { spec: '004', name: 'subscription counts', named: false },
    ],
  },
  subscriptionsFailures: {
    name: 'subscriptions.failures',
    kind: 'counter',
    unit: '{subscription}',
    description: 'Subscription sign-ups or renewals that failed, by reason',
    group: 'business',
    labels: { reason: { kind: 'enum', values: ['payment_failed', 'canceled', 'expired', 'provider_error'] } },
    specs: [{ spec: '002', name: 'subscription failures alert', named: false }],
  },
  webhookEvents: {
    name: 'webhook.events',
    kind: 'counter',
    unit: '{event}',
    description: 'Payment-provider webhook events by provider and outcome',
    group: 'business',
    labels: {
      provider: { kind: 'configured', set: 'webhookProviders' },
      outcome: { kind: 'enum', values: ['success', 'failure'] },
    },
    specs: [{ spec: '002', name: 'Stripe webhook errors alert', named: false, note: '`outcome="failure"`' }],
  },
  deployments: {
    name: 'deployments',
    kind: 'counter',
    unit: '{deployment}',
    description: 'Deployments by result (DORA deployment frequency and change failure rate)',
    group: 'business',
    labels: { result: { kind: 'enum', values: ['success', 'failure'] } },
    specs: [
      { spec: '002', name: 'deployment_frequency_total' },
      { spec: '002', name: 'change_failure_rate', note: 'derived: failure share of this counter in PromQL' },
    ],
  },
  deploymentLeadTime: {
    name: 'deployment.lead_time',
    kind: 'histogram',
    unit: 's',
    description: 'Time from commit to deployment (DORA lead time)',
    group: 'business',
    labels: {},
    buckets: LONG_BUCKETS,
    specs: [{ spec: '002', name: 'deployment_lead_time_seconds' }],
  },
  incidentRecovery: {
    name: 'incident.recovery',
    kind: 'histogram',
    unit: 's',
    description: 'Time to recover from an incident (DORA MTTR)',
    group: 'business',
    labels: {},
    buckets: LONG_BUCKETS,
    specs: [{ spec: '002', name: 'mttr_seconds' }],
  },
  workflowExecutions: {
    name: 'workflow.executions',
    kind: 'counter',
    unit: '{execution}',
    description: 'Workflow executions by type and status',
    group: 'business',
    labels: {
      workflow_type: { kind: 'configured', set: 'workflowTypes' },
      status: { kind: 'enum', values: ['success', 'failure'] },
    },
    specs: [
      { spec: '003', name: 'workflow_executions_total' },
      { spec: '003', name: 'workflow_failures_total', note: '`status="failure"`; `error_type` goes to span status' },
    ],
  },
  workflowDuration: {
    name: 'workflow.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Workflow execution time by type',
    group: 'business',
    labels: { workflow_type: { kind: 'configured', set: 'workflowTypes' } },
    buckets: JOB_BUCKETS,
    specs: [{ spec: '003', name: 'workflow_duration_seconds' }],
  },
  cacheRequests: {
    name: 'cache.requests',
    kind: 'counter',
    unit: '{request}',
    description: 'Cache lookups by cache and result; hit rate = hits / all',
    group: 'business',
    labels: { cache: { kind: 'identifier', maxValues: 16 }, result: { kind: 'enum', values: ['hit', 'miss'] } },
    specs: [{ spec: '004', name: 'cache hit rates', named: false }],
  },
  communityPostsCreated: {
    name: 'community.posts_created',
    kind: 'counter',
    unit: '{post}',
    description: 'Community posts created',
    group: 'business',
    labels: {},
    specs: [{ spec: '000', name: 'divan_community_posts_created_total' }],
  },
  eventsCreated: {
    name: 'events.created',
    kind: 'counter',
    unit: '{event}',
    description: 'Campus events created',
    group: 'business',
    labels: {},
    specs: [{ spec: '000', name: 'divan_events_created_total' }],
  },
  eventRsvpsUpdated: {
    name: 'event_rsvps.updated',
    kind: 'counter',
    unit: '{rsvp}',
    description: 'Campus event RSVPs created or changed',
    group: 'business',
    labels: {},
    specs: [{ spec: '000', name: 'divan_event_rsvps_updated_total' }],
  },
} as const satisfies { readonly [id: string]: DivanMetricDefinition<keyof typeof BUSINESS_LABEL_SETS> };

export const businessCatalog = defineCatalog({
  namespace: NAMESPACE,
  labelSets: BUSINESS_LABEL_SETS,
  metrics: BUSINESS_METRICS,
});

/** Every catalog Divan passes to `init({ catalogs })`. */
export const DIVAN_CATALOGS = [domainCatalog, businessCatalog] as const;

const HTTP_COUNT = 'http_server_request_duration_seconds_count';
const HTTP_BUCKET = 'http_server_request_duration_seconds_bucket';
const SEMCONV_HTTP =
  'OTel semconv `http.server.request.duration`, SDK core (`http_route`, `http_request_method`, `http_response_status_code`)';
const OTHER_PRODUCT = (product: string): string => `not emitted: specific to ${product}, which Sightline does not run`;

/** Spec metrics that no catalog instrument emits: carried by semconv series, derived, or not emitted. */
export const specMappings: readonly SpecMapping[] = [
  { spec: '000', name: 'divan_http_requests_total', series: HTTP_COUNT, note: SEMCONV_HTTP },
  { spec: '000', name: 'divan_http_request_duration_seconds', series: HTTP_BUCKET, note: SEMCONV_HTTP },
  {
    spec: '000',
    name: 'divan_http_5xx_total',
    series: `${HTTP_COUNT}{http_response_status_code=~"5.."}`,
    note: SEMCONV_HTTP,
  },
  { spec: '001', name: 'divan_http_requests_total', series: HTTP_COUNT, note: SEMCONV_HTTP },
  { spec: '001', name: 'divan_http_request_duration_seconds', series: HTTP_BUCKET, note: SEMCONV_HTTP },
  { spec: '002', name: 'http_requests_total', series: HTTP_COUNT, note: SEMCONV_HTTP },
  { spec: '002', name: 'http_request_duration_seconds', series: HTTP_BUCKET, note: SEMCONV_HTTP },
  {
    spec: '002',
    name: 'http_requests_errors_total',
    series: `${HTTP_COUNT}{http_response_status_code=~"5.."}`,
    note: `${SEMCONV_HTTP}; the error class is on the span`,
  },
  { spec: '002', name: 'content_access_total', series: null, note: OTHER_PRODUCT("spec 002's content library") },
  { spec: '002', name: 'video_stream_duration_seconds', series: null, note: OTHER_PRODUCT("spec 002's video player") },
  {
    spec: '003',
    name: 'auth_requests_total',
    series: `${HTTP_COUNT}{http_route=~"/auth/.*"}`,
    note: `${SEMCONV_HTTP}; endpoint = route, status = status code`,
  },
  {
    spec: '003',
    name: 'user_registrations_total',
    series: `${HTTP_COUNT}{http_route="/auth/register"}`,
    note: SEMCONV_HTTP,
  },
  {
    spec: '003',
    name: 'rate_limit_requests_total',
    series: HTTP_COUNT,
    note: `${SEMCONV_HTTP}; every request passes the limiter`,
  },
  { spec: '003', name: 'http_requests_total', series: HTTP_COUNT, note: SEMCONV_HTTP },
  { spec: '003', name: 'http_request_duration_seconds', series: HTTP_BUCKET, note: SEMCONV_HTTP },
  {
    spec: '003',
    name: 'database_query_duration_seconds',
    series: 'db_client_operation_duration_seconds_bucket',
    note: 'OTel semconv `db.client.operation.duration` from the pg instrumentation (`db_operation_name`)',
  },
  {
    spec: '003',
    name: 'redis_connections_active',
    series: null,
    note: 'not emitted: node-redis multiplexes one connection per client, there is no pool; see `divan_redis_up`',
  },
  {
    spec: '003',
    name: 'redis_connections_idle',
    series: null,
    note: 'not emitted: node-redis multiplexes one connection per client, there is no pool; see `divan_redis_up`',
  },
  {
    spec: '003',
    name: 'redis_connection_errors_total',
    series: 'divan_redis_up',
    note: 'a failed ping sets `divan_redis_up` to 0; the error is on the probe span and log',
  },
  ...[
    'struggle_detections_total',
    'lesson_recommendations_generated_total',
    'struggle_workflow_edit_frequency',
    'struggle_workflow_error_count',
    'audit_executions_total',
    'audit_violations_detected',
    'audit_violations_by_type_total',
    'audit_files_processed',
  ].map((name) => ({
    spec: '003' as const,
    name,
    series: null,
    note: `${OTHER_PRODUCT("spec 003's tutoring workflows")}; generic \`divan_workflow_*\` covers workflows`,
  })),
  { spec: '004', name: 'HTTP request count and duration', named: false, series: HTTP_BUCKET, note: SEMCONV_HTTP },
  {
    spec: '004',
    name: 'Redis connection counts',
    named: false,
    series: null,
    note: 'not emitted: node-redis multiplexes one connection per client, there is no pool; see `divan_redis_up`',
  },
  { spec: '004', name: 'panic_requests', series: null, note: OTHER_PRODUCT("spec 004's panic dispatch") },
  {
    spec: '004',
    name: 'panic_request_response_time_seconds',
    series: null,
    note: OTHER_PRODUCT("spec 004's panic dispatch"),
  },
  { spec: '004', name: 'custom_metric_total', series: null, note: "not emitted: the spec's how-to placeholder" },
];
