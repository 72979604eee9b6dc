// Every query Grafana will send parses with the real grammar: LogQL and TraceQL with Grafana's own
// lezer parsers, PromQL by running it on a real Prometheus (an empty one: parsing and evaluation
// must succeed, data is the native end-to-end test's job).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { type Prometheus, startPrometheus } from '@sightline/harness';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { dashboardPromQL, substitute } from './promql.ts';
import { dashboardQueries, datasourceQueries, type Query, repoDir } from './sources.ts';

const allQueries: Query[] = [...dashboardQueries(), ...datasourceQueries()];
const ofLanguage = (language: Query['language']) => allQueries.filter((query) => query.language === language);

/** The text of each error node lezer recovered from, empty when the query parses cleanly. */
function parseErrors(parser: typeof logqlParser, text: string): string[] {
  const errors: string[] = [];
  parser.parse(text).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: "${text.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
    },
  });
  return errors;
}

describe('LogQL and TraceQL parse with Grafana lezer grammars', () => {
  it('every LogQL query (dashboards and trace-to-logs link) parses without error nodes', () => {
    const queries = ofLanguage('logql');
    assert.ok(queries.length >= 2, `expected a logs panel and the trace-to-logs query, found ${queries.length}`);
    for (const query of queries) {
      assert.deepEqual(parseErrors(logqlParser, substitute(query.text)), [], `${query.where}: ${query.text}`);
    }
  });

  it('every TraceQL query parses without error nodes', () => {
    const queries = ofLanguage('traceql');
    assert.ok(queries.length >= 2, `expected TraceQL panels, found ${queries.length}`);
    for (const query of queries) {
      assert.deepEqual(parseErrors(traceqlParser, substitute(query.text)), [], `${query.where}: ${query.text}`);
    }
  });

  it('the parsers do report broken queries (the checks above can fail)', () => {
    assert.notDeepEqual(parseErrors(logqlParser, '{service_name="a" | x'), []);
    assert.notDeepEqual(parseErrors(traceqlParser, '{ status = }'), []);
  });
});

describe('dashboard series names follow docs/CONTRACT.md', () => {
  it('every divan_* and http_server_* series a dashboard reads is in the contract', () => {
    const contract = readFileSync(join(repoDir, 'docs', 'CONTRACT.md'), 'utf8');
    const missing = new Set<string>();
    for (const { raw } of dashboardPromQL()) {
      for (const [name] of raw.matchAll(/(?<![:\w])(?:divan|http_server)_[a-z0-9_]+/g)) {
        const family = name.replace(/_(bucket|sum|count)$/, '');
        if (!contract.includes(family)) missing.add(`${name} (family ${family})`);
      }
    }
    assert.deepEqual([...missing], []);
  });
});

describe('recording rules the dashboards read', () => {
  it('are each defined in prometheus/rules', (t) => {
    const rulesDir = join(repoDir, 'prometheus', 'rules');
    if (!existsSync(rulesDir)) {
      t.skip('prometheus/rules does not exist yet (the alerting stream writes it)');
      return;
    }
    const rules = readdirSync(rulesDir)
      .filter((file) => /\.ya?ml$/.test(file))
      .map((file) => readFileSync(join(rulesDir, file), 'utf8'))
      .join('\n');
    const defined = new Set([...rules.matchAll(/-\s+record:\s*(\S+)/g)].map((match) => match[1]));
    const read = new Set(
      dashboardPromQL().flatMap(({ raw }) => [...raw.matchAll(/\b\w+:\w+:\w+\b/g)].map((m) => m[0])),
    );
    assert.ok(read.size > 0, 'expected panels to read recording rules');
    for (const name of read)
      assert.ok(defined.has(name), `dashboards read ${name}, which prometheus/rules does not record`);
  });
});

describe('every dashboard PromQL expression runs on a real Prometheus', () => {
  let prometheus: Prometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus({ name: 'prometheus-dashboards' });
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  it('each substituted expression returns status success from /api/v1/query', async () => {
    const expressions = dashboardPromQL();
    assert.ok(expressions.length > 100, `expected the full set of panels, found ${expressions.length}`);
    const failures: string[] = [];
    for (const { dashboard, panel, expr } of expressions) {
      await prometheus.query(expr).catch((error: Error) => failures.push(`${dashboard} / ${panel}: ${error.message}`));
    }
    assert.deepEqual(failures, [], prometheus.logs());
  });

  it('an invalid expression is rejected (the check above can fail)', async () => {
    await assert.rejects(prometheus.query('sum(rate(http_server_request_duration_seconds_count[$__rate_interval]))'));
  });
});
