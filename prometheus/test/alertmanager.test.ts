// prometheus/alertmanager.yml through amtool and a real Alertmanager at the version compose ships
// (scripts/build-prom-tools.sh): the config is valid, each severity reaches its receiver, a
// critical alert inhibits the matching warning, and no secret or receiver URL is inline.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALERTMANAGER_SECRETS_DIR,
  type Alertmanager,
  alertmanagerConfigPath,
  localAlertmanagerConfig,
  startAlertmanager,
  tempDir,
  waitFor,
} from '@sightline/harness';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { readYaml, repoDir, runTool } from './files.ts';

/** Labels an alert carries -> the receiver Alertmanager picks. */
const ROUTES: Array<{ labels: string[]; receiver: string }> = [
  { labels: ['alertname=DivanHighErrorRate', 'severity=critical', 'service_name=api'], receiver: 'critical' },
  { labels: ['alertname=DivanHighLatencyP95', 'severity=warning', 'service_name=api'], receiver: 'warnings' },
  { labels: ['alertname=DivanLowDeploymentFrequency', 'severity=info'], receiver: 'general' },
  { labels: ['alertname=SomethingElse'], receiver: 'general' },
  { labels: ['alertname=Watchdog', 'severity=info'], receiver: 'watchdog' },
];

type Config = {
  route: { receiver: string; group_by: string[] };
  inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal?: string[] }>;
  receivers: Array<{ name: string; slack_configs?: Array<{ channel: string }> }>;
};

describe('alertmanager.yml', () => {
  it('passes amtool check-config with its inhibit rules and receivers', () => {
    const { ok, output } = runTool('amtool', ['check-config', alertmanagerConfigPath]);
    assert.ok(ok, output);
    assert.match(output, /SUCCESS/);
    assert.match(output, /2 inhibit rules/);
    assert.match(output, /4 receivers/);
  });

  for (const { labels, receiver } of ROUTES) {
    it(`routes {${labels.join(', ')}} to ${receiver}`, () => {
      const { ok, output } = runTool('amtool', [
        'config',
        'routes',
        'test',
        `--config.file=${alertmanagerConfigPath}`,
        `--verify.receivers=${receiver}`,
        ...labels,
      ]);
      assert.ok(ok, output);
      assert.equal(
        output.split('\n').find((line) => line.length > 0 && !line.startsWith('Warning')),
        receiver,
      );
    });
  }

  it('sends each severity to its Slack channel and groups by alert and service', () => {
    const config = readYaml<Config>(alertmanagerConfigPath);
    const channel = (name: string) => config.receivers.find((r) => r.name === name)?.slack_configs?.[0]?.channel;
    assert.equal(channel('critical'), '#alerts-critical');
    assert.equal(channel('warnings'), '#alerts-warnings');
    assert.equal(channel('general'), '#alerts-general');
    assert.equal(config.route.receiver, 'general');
    for (const label of ['alertname', 'service_name']) assert.ok(config.route.group_by.includes(label), label);
  });

  it('holds no inline secret: every secret is a file under the mounted secrets directory', () => {
    const text = readFileSync(alertmanagerConfigPath, 'utf8');
    assert.doesNotMatch(text, /^\s*(api_url|auth_password|smtp_auth_password|credentials|password|bearer_token):/m);
    assert.doesNotMatch(text, /hooks\.slack\.com/);
    // Webhook URLs often carry a token: they come from url_file (Alertmanager 0.26+), never `url:`.
    assert.doesNotMatch(text, /^\s*(-\s+)?url:/m);
    const files = [...new Set([...text.matchAll(/_file: (\S+)/g)].map((match) => match[1] as string))];
    assert.ok(files.length >= 8, `secret files: ${files}`);
    for (const name of ['webhook.url', 'watchdog.url'])
      assert.ok(files.includes(ALERTMANAGER_SECRETS_DIR + name), name);
    const documented = readFileSync(join(repoDir, 'secrets', 'README.md'), 'utf8');
    for (const file of files) {
      assert.ok(file.startsWith(ALERTMANAGER_SECRETS_DIR), file);
      assert.ok(
        documented.includes(`\`${file.slice(ALERTMANAGER_SECRETS_DIR.length)}\``),
        `${file} in secrets/README.md`,
      );
    }
    // docker-compose.yml mounts the config and the secrets where the config expects them.
    const compose = readFileSync(join(repoDir, 'docker-compose.yml'), 'utf8');
    assert.match(compose, /- \.\/prometheus\/alertmanager\.yml:\/etc\/alertmanager\/alertmanager\.yml:ro/);
    assert.match(compose, /- \.\/secrets\/alertmanager:\/etc\/alertmanager\/secrets:ro/);
  });

  it('makes a local copy (secrets in temp files, webhooks rewritten) that amtool accepts', () => {
    const dir = tempDir('am-local');
    const file = localAlertmanagerConfig({
      dir,
      secrets: { 'slack-critical.url': 'http://127.0.0.1:9/slack' },
      webhookUrl: (receiver) => `http://127.0.0.1:9/${receiver}`,
    });
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /\/etc\/alertmanager/);
    assert.equal(readFileSync(join(dir, 'secrets', 'slack-critical.url'), 'utf8'), 'http://127.0.0.1:9/slack');
    assert.match(text, /url: http:\/\/127\.0\.0\.1:9\/watchdog/);
    assert.match(text, /url: http:\/\/127\.0\.0\.1:9\/warnings/);
    const { ok, output } = runTool('amtool', ['check-config', file]);
    assert.ok(ok, output);
  });
});

describe('inhibition on a real Alertmanager', () => {
  let alertmanager: Alertmanager;

  beforeAll(async () => {
    alertmanager = await startAlertmanager({ configFile: localAlertmanagerConfig({ dir: tempDir('am-inhibit') }) });
  });
  afterAll(async () => {
    await alertmanager?.stop();
  });

  it('a critical alert silences the warning of its family and service, not another service', async () => {
    const alert = (alertname: string, severity: string, service: string, family: string) => ({
      labels: { alertname, severity, family, service_name: service, deployment_environment_name: 'prod' },
      annotations: { summary: `${alertname} ${service}` },
      startsAt: new Date().toISOString(),
    });
    const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert('DivanHighErrorRate', 'critical', 'api', 'availability'),
        alert('DivanAvailabilitySLOSlowBurn', 'warning', 'api', 'availability'),
        alert('DivanAvailabilitySLOSlowBurn', 'warning', 'other', 'availability'),
        alert('DivanHighLatencyP95', 'warning', 'api', 'latency'),
      ]),
    });
    assert.equal(response.status, 200, await response.text());
    const states = await waitFor(
      async () => {
        const alerts = await alertmanager.alerts();
        if (alerts.length < 4) return undefined;
        return Object.fromEntries(
          alerts.map((a) => [`${a.labels.alertname}/${a.labels.service_name}`, a.status.state]),
        );
      },
      { what: 'the four alerts in Alertmanager', timeoutMs: 10_000 },
    ).catch((error) => assert.fail(`${error}\n${alertmanager.logs()}`));
    assert.deepEqual(states, {
      'DivanHighErrorRate/api': 'active',
      'DivanAvailabilitySLOSlowBurn/api': 'suppressed',
      'DivanAvailabilitySLOSlowBurn/other': 'active',
      'DivanHighLatencyP95/api': 'active',
    });
  });
});
