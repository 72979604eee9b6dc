// The Watchdog heartbeat on a real Alertmanager: with the production route's timings scaled down
// 30x (1m -> 2s), every group_interval tick delivers a beat. With repeat_interval equal to
// group_interval (the old config) every other tick was skipped, so beats came at twice the interval
// the receiving dead man's switch expects.

import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Alertmanager,
  alertmanagerConfigPath,
  localAlertmanagerConfig,
  startAlertmanager,
  tempDir,
  waitFor,
} from '@sightline/harness';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

type Route = {
  receiver: string;
  matchers?: string[];
  group_interval?: string;
  repeat_interval?: string;
  group_wait?: string;
};
type Config = { route: Route & { routes?: Route[] } };

/** Alertmanager durations as used in this config: `30s`, `1m`, `2h`, `1500ms`. */
function ms(duration: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(duration);
  if (!match) throw new Error(`unexpected duration ${duration}`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
}

const SCALE = 30;
const BEATS = 5;

function watchdogRoute(config: Config): Route {
  const route = config.route.routes?.find((r) => r.receiver === 'watchdog');
  if (!route?.group_interval || !route.repeat_interval) throw new Error('watchdog route without its intervals');
  return route;
}

describe('Watchdog heartbeat', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const stop of cleanup.reverse()) await stop();
  });

  it('repeats more often than it groups, so no tick is skipped', () => {
    const route = watchdogRoute(parse(readFileSync(alertmanagerConfigPath, 'utf8')) as Config);
    expect(ms(route.repeat_interval as string)).toBeLessThan(ms(route.group_interval as string));
  });

  it(`beats at the group interval, ${BEATS} times in a row, on a real Alertmanager`, async () => {
    const beats: number[] = [];
    const server: Server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (request.headers.authorization === 'Bearer watchdog-token') beats.push(Date.now());
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
    const heartbeatUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/heartbeat`;

    const dir = tempDir('watchdog');
    const file = localAlertmanagerConfig({
      dir,
      secrets: { 'watchdog.token': 'watchdog-token' },
      webhookUrl: (receiver) => (receiver === 'watchdog' ? heartbeatUrl : 'http://127.0.0.1:9/unused'),
    });
    // Scale only the heartbeat's timings; their ratio is what the production config decides.
    const config = parse(readFileSync(file, 'utf8')) as Config;
    const route = watchdogRoute(config);
    const groupMs = ms(route.group_interval as string) / SCALE;
    route.group_interval = `${groupMs}ms`;
    route.repeat_interval = `${ms(route.repeat_interval as string) / SCALE}ms`;
    writeFileSync(file, stringify(config));

    const alertmanager: Alertmanager = await startAlertmanager({ configFile: file, name: 'alertmanager-watchdog' });
    cleanup.push(() => alertmanager.stop());
    const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'Watchdog', severity: 'info', family: 'watchdog' },
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 10 * 60_000).toISOString(),
        },
      ]),
    });
    expect(response.status).toBe(200);

    await waitFor(() => beats.length >= BEATS + 1, {
      what: `${BEATS + 1} heartbeats`,
      timeoutMs: groupMs * (BEATS + 4) * 2,
      intervalMs: 100,
    }).catch((error: Error) => {
      throw new Error(
        `${error.message}; beats at ${beats.map((t) => t - (beats[0] ?? 0)).join(', ')} ms\n${alertmanager.logs()}`,
      );
    });
    const gaps = beats.slice(1, BEATS + 1).map((t, i) => t - (beats[i] as number));
    // Every gap is one group interval (a skipped tick would make it two).
    for (const gap of gaps) {
      expect(gap, `gaps ${gaps.join(', ')} ms`).toBeGreaterThan(groupMs * 0.5);
      expect(gap, `gaps ${gaps.join(', ')} ms`).toBeLessThan(groupMs * 1.5);
    }
  }, 60_000);
});
