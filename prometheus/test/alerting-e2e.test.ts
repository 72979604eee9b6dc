// The alert path end to end, every process real and on loopback:
//   service (built @sightline/node, a route answering 500) --OTLP gRPC--> collector (production
//   config) --remote-write--> Prometheus (production rules, sped up) --> Alertmanager (production
//   routing, secrets and webhook URLs in temp files) --> Slack stand-in and webhooks served by this
//   test. Prometheus and Alertmanager are the versions compose ships (scripts/build-prom-tools.sh).
// The rules are the production ones with a 1 s evaluation and a 2 s `for:` (overlay.ts); the
// production thresholds and durations stay covered by promtool.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  type Alertmanager,
  freePort,
  isListening,
  localAlertmanagerConfig,
  type ManagedProcess,
  type Pipeline,
  startAlertmanager,
  startManaged,
  startPipeline,
  tempDir,
  waitFor,
} from '@sightline/harness';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { prometheusDir, repoDir } from './files.ts';
import { writeRuleOverlay } from './overlay.ts';

const SERVICE = 'alert-e2e';
const ENVIRONMENT = 'e2e';
const WEBHOOK_TOKEN = 'e2e-webhook-token';

interface Delivery {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}
interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Receives what Alertmanager sends (webhook JSON and Slack JSON alike) and keeps it. */
async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; server: Server }> {
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { unparsed: text };
      }
      deliveries.push({ path: request.url ?? '', authorization: request.headers.authorization, body });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, deliveries, server };
}

const alertsIn = (delivery: Delivery) => (delivery.body.alerts as WebhookAlert[] | undefined) ?? [];

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let alertmanager: Alertmanager | undefined;
let pipeline: Pipeline | undefined;
let service: ManagedProcess | undefined;
let serviceUrl: string;
let trafficStop = false;
let traffic: Promise<void> | undefined;
let firstFailureAt = 0;

function logs(): string {
  return [service?.logs(), pipeline?.logs(), alertmanager?.logs()].filter(Boolean).join('\n');
}

describe('an alert from a failing service reaches its receivers through the real pipeline', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    // CI builds every workspace first; a fresh checkout running this file alone builds the SDK here.
    if (!existsSync(join(repoDir, 'packages/node/dist/register.js'))) {
      execFileSync('npm', ['run', 'build', '-w', '@sightline/node'], { cwd: repoDir, stdio: 'pipe' });
    }
    receiver = await startReceiver();
    const dir = tempDir('alerting-e2e');
    alertmanager = await startAlertmanager({
      configFile: localAlertmanagerConfig({
        dir,
        secrets: {
          'slack-critical.url': `${receiver.url}/slack/critical`,
          'slack-warnings.url': `${receiver.url}/slack/warnings`,
          'slack-general.url': `${receiver.url}/slack/general`,
          // Read through url_file, as in production: one generic webhook shared by three receivers.
          'webhook.url': `${receiver.url}/webhook/generic`,
          'watchdog.url': `${receiver.url}/webhook/watchdog`,
          'webhook.token': WEBHOOK_TOKEN,
          'watchdog.token': WEBHOOK_TOKEN,
        },
        // Nothing listens there: the email integration fails alone, as without an SMTP server.
        smtpSmarthost: `127.0.0.1:${await freePort()}`,
        groupWait: '1s',
        groupInterval: '1s',
      }),
    });
    pipeline = await startPipeline({
      prometheus: {
        ruleFiles: [writeRuleOverlay({ dir, alerts: ['DivanHighErrorRate', 'Watchdog'] })],
        alertmanagerUrl: alertmanager.url,
        evaluationInterval: '1s',
        // Alerts that fire before Prometheus has discovered Alertmanager are re-sent only after
        // this delay (default 1m); Watchdog fires on the very first evaluation.
        extraArgs: ['--rules.alert.resend-delay=1s'],
      },
    });
    const port = await freePort();
    serviceUrl = `http://127.0.0.1:${port}`;
    service = await startManaged({
      name: SERVICE,
      command: process.execPath,
      args: ['--import', '@sightline/node/register', join(prometheusDir, 'test/fixtures/failing-service.mjs')],
      cwd: repoDir,
      env: {
        PORT: String(port),
        OTEL_SERVICE_NAME: SERVICE,
        DEPLOYMENT_ENVIRONMENT: ENVIRONMENT,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://${pipeline.collector.otlpGrpcEndpoint}`,
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
        LOG_LEVEL: 'warn',
      },
      ready: () => isListening(port),
      timeoutMs: 30_000,
    }).catch((error) => assert.fail(`${error}\n${logs()}`));

    // Half the requests fail until the alert arrives: far above the 5% threshold, on every sample.
    firstFailureAt = Date.now();
    traffic = (async () => {
      while (!trafficStop) {
        for (const path of ['/ok', '/fail']) {
          // A refused request (service gone) must not become an unhandled rejection; the waits report it.
          await fetch(`${serviceUrl}${path}`)
            .then((response) => response.arrayBuffer())
            .catch(() => {});
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
  });

  afterAll(async () => {
    trafficStop = true;
    await traffic?.catch(() => {});
    await service?.stop();
    await pipeline?.stop();
    await alertmanager?.stop();
    receiver?.server.close();
  });

  it('DivanHighErrorRate arrives at the generic webhook (url_file) from the critical receiver, with its labels and annotations', async () => {
    const delivery = await waitFor(
      () =>
        receiver.deliveries.find(
          (d) =>
            d.path === '/webhook/generic' &&
            d.body.receiver === 'critical' &&
            alertsIn(d).some((a) => a.labels.alertname === 'DivanHighErrorRate' && a.status === 'firing'),
        ),
      { what: 'DivanHighErrorRate at the generic webhook from receiver critical', timeoutMs: 45_000, intervalMs: 200 },
    ).catch((error) =>
      assert.fail(`${error}\ndeliveries: ${JSON.stringify(receiver.deliveries.map((d) => d.path))}\n${logs()}`),
    );
    console.log(`time to alert: ${((Date.now() - firstFailureAt) / 1000).toFixed(1)} s from the first 500`);

    assert.equal(delivery.body.receiver, 'critical');
    assert.equal(delivery.authorization, `Bearer ${WEBHOOK_TOKEN}`, 'the token from webhook.token');
    const alert = alertsIn(delivery).find((a) => a.labels.alertname === 'DivanHighErrorRate') as WebhookAlert;
    assert.deepEqual(alert.labels, {
      alertname: 'DivanHighErrorRate',
      severity: 'critical',
      family: 'availability',
      service_name: SERVICE,
      deployment_environment_name: ENVIRONMENT,
    });
    assert.match(alert.annotations.summary ?? '', new RegExp(`^${SERVICE}: [\\d.]+% of requests fail with 5xx$`));
    assert.match(
      alert.annotations.description ?? '',
      new RegExp(
        `^More than 5% of HTTP requests of ${SERVICE} in ${ENVIRONMENT} answered 5xx for 10 minutes \\(now [\\d.]+%\\)\\.$`,
      ),
    );
    assert.equal(alert.annotations.runbook_url, 'prometheus/RUNBOOK.md#divanhigherrorrate');
  });

  it('the same alert reaches the #alerts-critical Slack channel with its summary and runbook', async () => {
    const slack = await waitFor(
      () =>
        receiver.deliveries.find(
          (d) => d.path === '/slack/critical' && String(JSON.stringify(d.body)).includes('DivanHighErrorRate'),
        ),
      { what: 'the Slack message for #alerts-critical', timeoutMs: 10_000, intervalMs: 200 },
    ).catch((error) => assert.fail(`${error}\n${alertmanager?.logs()}`));
    assert.equal(slack.body.channel, '#alerts-critical');
    const [attachment] = slack.body.attachments as Array<{ title: string; text: string }>;
    assert.match(attachment?.title ?? '', new RegExp(`^\\[FIRING:1\\] DivanHighErrorRate · ${SERVICE}$`));
    assert.match(
      attachment?.text ?? '',
      new RegExp(`\\*${SERVICE}: [\\d.]+% of requests fail with 5xx\\* \\(critical\\)`),
    );
    assert.match(attachment?.text ?? '', /Runbook: prometheus\/RUNBOOK\.md#divanhigherrorrate/);
    assert.equal(
      receiver.deliveries.filter((d) => d.path.startsWith('/slack/') && d.path !== '/slack/critical').length,
      0,
      'no other Slack channel got anything',
    );
  });

  it('Watchdog reaches only its own webhook (url_file)', async () => {
    const beat = await waitFor(() => receiver.deliveries.find((d) => d.path === '/webhook/watchdog'), {
      what: 'Watchdog at its webhook',
      timeoutMs: 10_000,
      intervalMs: 200,
    }).catch(async (error) =>
      assert.fail(
        `${error}\ndeliveries: ${JSON.stringify(receiver.deliveries.map((d) => d.path))}\n` +
          `alertmanager holds: ${JSON.stringify(await alertmanager?.alerts())}\n${alertmanager?.logs()}`,
      ),
    );
    assert.equal(beat.body.receiver, 'watchdog');
    assert.deepEqual(
      alertsIn(beat).map((a) => [a.labels.alertname, a.labels.severity, a.annotations.runbook_url]),
      [['Watchdog', 'info', 'prometheus/RUNBOOK.md#watchdog']],
    );
    const elsewhere = receiver.deliveries.filter(
      (d) => d.path !== '/webhook/watchdog' && alertsIn(d).some((a) => a.labels.alertname === 'Watchdog'),
    );
    assert.deepEqual(
      elsewhere.map((d) => d.path),
      [],
    );
  });
});
