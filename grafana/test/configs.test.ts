// The datasource links and the Tempo and Loki configs carry the promises of issue 6: traces link
// to logs, metrics and the service map; logs link back to traces; Loki indexes only bounded labels
// and keeps trace_id as structured metadata. Tempo and Loki cannot run here, so their YAML is
// checked for the keys those promises rest on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { parse } from 'yaml';
import { grafanaDir, loadDatasources, type ProvisionedDatasource } from './sources.ts';

const datasources = loadDatasources();
const byUid = new Map(datasources.map((datasource) => [datasource.uid, datasource]));
const get = (uid: string): ProvisionedDatasource => {
  const datasource = byUid.get(uid);
  assert.ok(datasource, `no datasource with uid ${uid}; have ${[...byUid.keys()].join(', ')}`);
  return datasource;
};
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, walked by known paths whose values are each asserted
type Yaml = any;
const readYaml = (...path: string[]): Yaml => parse(readFileSync(join(grafanaDir, ...path), 'utf8'));

describe('provisioned datasources', () => {
  it('have the fixed uids and types the dashboards and links use', () => {
    assert.equal(get('prometheus').type, 'prometheus');
    assert.equal(get('tempo').type, 'tempo');
    assert.equal(get('loki').type, 'loki');
    assert.equal(get('alertmanager').type, 'alertmanager');
    assert.equal(get('alertmanager').jsonData?.implementation, 'prometheus');
    assert.equal(new Set(datasources.map((d) => d.uid)).size, datasources.length);
  });

  it('point at the compose service names and ports', () => {
    assert.equal(get('prometheus').url, 'http://prometheus:9090');
    assert.equal(get('tempo').url, 'http://tempo:3200');
    assert.equal(get('loki').url, 'http://loki:3100');
    assert.equal(get('alertmanager').url, 'http://alertmanager:9093');
  });

  it('link Prometheus exemplars to Tempo by trace_id', () => {
    const destinations = get('prometheus').jsonData?.exemplarTraceIdDestinations as Array<Record<string, string>>;
    assert.deepEqual(destinations, [{ name: 'trace_id', datasourceUid: 'tempo' }]);
  });

  it('link Tempo to logs by trace id, to span metrics, to the service map, with node graph on', () => {
    const json: Yaml = get('tempo').jsonData;
    assert.equal(json.tracesToLogsV2.datasourceUid, 'loki');
    assert.match(json.tracesToLogsV2.query, /trace_id="\$\$\{__trace\.traceId\}"/);
    assert.equal(json.tracesToMetrics.datasourceUid, 'prometheus');
    assert.ok(json.tracesToMetrics.queries.every((q: { query: string }) => q.query.includes('traces_span_metrics_')));
    assert.equal(json.serviceMap.datasourceUid, 'prometheus');
    assert.equal(json.nodeGraph.enabled, true);
    assert.equal(json.lokiSearch.datasourceUid, 'loki');
  });

  it('link Loki trace_id (structured metadata) back to Tempo', () => {
    const fields = get('loki').jsonData?.derivedFields as Array<Record<string, string>>;
    const byMetadata = fields.find((field) => field.matcherType === 'label');
    assert.deepEqual(
      { regex: byMetadata?.matcherRegex, uid: byMetadata?.datasourceUid, url: byMetadata?.url },
      { regex: 'trace_id', uid: 'tempo', url: '$${__value.raw}' },
    );
    for (const field of fields) assert.equal(field.datasourceUid, 'tempo');
  });

  it('load dashboards from the directory compose mounts', () => {
    const provider = readYaml('provisioning', 'dashboards', 'dashboards.yaml').providers[0];
    assert.equal(provider.type, 'file');
    assert.equal(provider.options.path, '/var/lib/grafana/dashboards');
    const compose = readFileSync(join(grafanaDir, '..', 'docker-compose.yml'), 'utf8');
    assert.match(compose, /\.\/grafana\/dashboards:\/var\/lib\/grafana\/dashboards:ro/);
    assert.match(compose, /\.\/grafana\/provisioning:\/etc\/grafana\/provisioning:ro/);
  });
});

describe('Tempo config', () => {
  const tempo = readYaml('tempo', 'tempo.yaml');
  it('receives OTLP on 4317/4318 and serves the API on 3200', () => {
    assert.equal(tempo.server.http_listen_port, 3200);
    assert.equal(tempo.distributor.receivers.otlp.protocols.grpc.endpoint, '0.0.0.0:4317');
    assert.equal(tempo.distributor.receivers.otlp.protocols.http.endpoint, '0.0.0.0:4318');
  });
  it('stores blocks and WAL on the local disk under the mounted volume', () => {
    assert.equal(tempo.storage.trace.backend, 'local');
    assert.match(tempo.storage.trace.local.path, /^\/var\/tempo\//);
    assert.match(tempo.storage.trace.wal.path, /^\/var\/tempo\//);
  });
});

describe('Loki config', () => {
  const loki = readYaml('loki', 'loki.yaml');
  it('uses schema v13 on the tsdb index', () => {
    const latest = loki.schema_config.configs.at(-1);
    assert.equal(latest.schema, 'v13');
    assert.equal(latest.store, 'tsdb');
    assert.equal(loki.server.http_listen_port, 3100);
  });
  it('indexes service.name and a few bounded resource attributes, nothing per record', () => {
    const limits = loki.limits_config;
    assert.equal(limits.allow_structured_metadata, true);
    const resource = limits.otlp_config.resource_attributes;
    assert.equal(resource.ignore_defaults, true);
    const indexed = resource.attributes_config
      .filter((rule: { action: string }) => rule.action === 'index_label')
      .flatMap((rule: { attributes: string[] }) => rule.attributes);
    assert.ok(indexed.includes('service.name'));
    assert.ok(indexed.length <= 4, `index labels must stay few and bounded: ${indexed.join(', ')}`);
    for (const attribute of indexed) assert.doesNotMatch(attribute, /trace|span|request|user|ip/);
    const perRecord = limits.otlp_config.log_attributes;
    assert.ok(perRecord.every((rule: { action: string }) => rule.action !== 'index_label'));
  });
});
