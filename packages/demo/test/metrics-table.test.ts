import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { init } from '@sightline/node';
import { describe, it } from 'vitest';
import {
  metricsSection,
  README_PATH,
  replaceMetricsSection,
  START_MARKER,
} from '../../../scripts/gen-metrics-table.ts';
import { DIVAN_CATALOGS, domainCatalog } from '../src/metrics/index.ts';
import { divanMetricsTable, prometheusSeries } from '../src/metrics/table.ts';

const renderMetricsTable = divanMetricsTable;

// Every metric name the five seed specs use, by spec. If a spec grows a metric, add it here and to
// the catalog (or to specMappings with the reason it is not emitted).
const SPEC_METRICS: Record<string, string[]> = {
  '000': [
    'intents_verified_total',
    'intents_failed_sig_total',
    'intents_replay_total',
    'divan_identity_logins_total',
    'divan_identity_rejects_total',
    'auth_failure_count',
    'divan_auth_failures_by_ip',
    'divan_auth_failures_by_user',
    'divan_refresh_rotations_total',
    'divan_refresh_failures_total',
    'divan_rate_limit_hits_total',
    'divan_requests_per_minute_ip',
    'divan_blocked_requests_total',
    'divan_http_requests_total',
    'divan_http_request_duration_seconds',
    'divan_http_5xx_total',
    'divan_socketio_clients',
    'divan_socketio_events_total',
    'divan_comm_socket_connections_active',
    'divan_community_posts_created_total',
    'divan_events_created_total',
    'divan_event_rsvps_updated_total',
    'divan_presence_heartbeats_total',
    'divan_proximity_queries_total',
    'divan_invites_sent_total',
    'divan_messages_sent_total',
    'divan_rooms_created_total',
    'divan_redis_up',
    'divan_postgres_up',
    'divan_redis_ping_latency_seconds',
    'divan_postgres_roundtrip_seconds',
    'divan_db_connections_active',
    'divan_redis_queue_lag',
    'divan_unhandled_exceptions_total',
  ],
  '001': [
    'divan_http_requests_total',
    'divan_http_request_duration_seconds',
    'divan_socketio_clients',
    'divan_socketio_events_total',
    'divan_presence_heartbeats_total',
    'divan_presence_rejects_total',
    'divan_proximity_queries_total',
    'divan_invites_sent_total',
    'divan_invites_accept_total',
    'divan_friendships_accepted_total',
    'divan_chat_send_total',
    'divan_chat_delivered_updates_total',
    'divan_chat_read_updates_total',
    'divan_rooms_created_total',
    'divan_rooms_join_total',
    'divan_rooms_send_total',
    'divan_activities_created_total',
    'divan_activities_completed_total',
    'divan_lb_events_processed_total',
    'divan_lb_snapshots_total',
    'divan_redis_up',
    'divan_redis_latency_seconds',
    'divan_postgres_up',
    'divan_postgres_latency_seconds',
    'divan_jobs_runs_total',
    'divan_jobs_duration_seconds',
  ],
  '002': [
    'http_requests_total',
    'http_request_duration_seconds',
    'http_requests_errors_total',
    'auth_attempts_total',
    'auth_active_sessions',
    'security_events_total',
    'stripe_payment_value_total',
    'stripe_subscriptions_active',
    'content_access_total',
    'video_stream_duration_seconds',
    'deployment_frequency_total',
    'deployment_lead_time_seconds',
    'change_failure_rate',
    'mttr_seconds',
    'websocket_connections_total',
    'websocket_messages_total',
  ],
  '003': [
    'auth_requests_total',
    'auth_token_refreshes_total',
    'user_registrations_total',
    'auth_failures_total',
    'tokens_issued_total',
    'tokens_revoked_total',
    'rate_limit_hits_total',
    'rate_limit_requests_total',
    'redis_connections_active',
    'redis_connections_idle',
    'redis_connection_errors_total',
    'http_requests_total',
    'http_request_duration_seconds',
    'database_connections_active',
    'database_connections_idle',
    'database_query_duration_seconds',
    'workflow_executions_total',
    'workflow_duration_seconds',
    'workflow_failures_total',
    'struggle_detections_total',
    'lesson_recommendations_generated_total',
    'struggle_workflow_edit_frequency',
    'struggle_workflow_error_count',
    'audit_executions_total',
    'audit_violations_detected',
    'audit_violations_by_type_total',
    'audit_files_processed',
  ],
  '004': ['panic_requests', 'panic_request_response_time_seconds', 'custom_metric_total'],
};

/** Table rows as [spec, spec metric without markup, emitted series without markup]. */
function rows(table: string): Array<[string, string, string]> {
  return table
    .split('\n')
    .filter((line) => /^\| \d{3} \|/.test(line))
    .map((line) => {
      const cells = line.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/`/g, ''));
      return [cells[0] ?? '', cells[1] ?? '', cells[2] ?? ''];
    });
}

describe('the README metrics table', () => {
  it('is the one Divan’s catalogs generate (run `npm run gen:metrics-table` after changing a catalog)', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    assert.equal(metricsSection(readme), renderMetricsTable());
  });

  it('lists every metric every spec names, each mapped to a series or marked not emitted', () => {
    const table = rows(renderMetricsTable());
    const missing: string[] = [];
    for (const [spec, names] of Object.entries(SPEC_METRICS)) {
      for (const name of names) {
        const row = table.find(([rowSpec, rowName]) => rowSpec === spec && rowName === name);
        if (!row) missing.push(`${spec} ${name}`);
        else assert.ok(row[2] !== '', `${spec} ${name} has an emitted-series cell`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('says why a spec metric is not emitted', () => {
    const notEmitted = renderMetricsTable()
      .split('\n')
      .filter((line) => line.includes('| not emitted |'));
    assert.ok(notEmitted.length >= 10);
    for (const line of notEmitted) assert.match(line, /not emitted: \S+/);
  });

  it('uses the series names of the cross-team contract', () => {
    const sdk = init({ enabled: false, catalogs: DIVAN_CATALOGS, logDestination: { write: () => {} } }).catalogs[0];
    const { instruments, metrics } = domainCatalog;
    assert.equal(prometheusSeries(instruments.chatSend.name, metrics.chatSend), 'divan_chat_send_total');
    assert.equal(
      prometheusSeries(sdk.instruments.socketioClients.name, sdk.metrics.socketioClients),
      'divan_socketio_clients',
    );
    assert.equal(
      prometheusSeries(sdk.instruments.jobsDuration.name, sdk.metrics.jobsDuration),
      'divan_jobs_duration_seconds_{bucket,sum,count}',
    );
    assert.equal(prometheusSeries(instruments.redisQueueLag.name, metrics.redisQueueLag), 'divan_redis_queue_lag');
  });

  it('replaces only the text between the markers', () => {
    const readme = `# Title\n\n${START_MARKER}\nold table\n<!-- metrics-table:end -->\n\n## After\n`;
    const updated = replaceMetricsSection(readme, '| new |\n');
    assert.equal(updated, `# Title\n\n${START_MARKER}\n| new |\n<!-- metrics-table:end -->\n\n## After\n`);
    assert.equal(replaceMetricsSection(updated, '| new |\n'), updated);
    assert.throws(
      () => replaceMetricsSection('# no markers\n', 'x'),
      /README\.md: expected <!-- metrics-table:start -->/,
    );
  });
});
