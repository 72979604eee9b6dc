/// <reference path="../autocannon.d.ts" />
import autocannon, { type Request } from 'autocannon';
import { percentileOfSorted } from './stats.ts';

/** One load run against one server. */
export interface LoadOptions {
  url: string;
  /** Concurrent keep-alive connections. */
  connections: number;
  durationSec: number;
  /** The requests each connection cycles through. @default REQUEST_MIX */
  requests?: Request[];
}

/** What one load run measured. Latencies are exact (autocannon's own histogram rounds to whole ms). */
export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

const ORDER: Request = {
  method: 'POST',
  path: '/orders',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    userId: 17,
    items: [
      { sku: 'A-1', quantity: 2, price: 9.5 },
      { sku: 'B-7', quantity: 1, price: 120 },
    ],
  }),
};

/** The compute scenario's mix: three reads of a route template for every order that logs at info. */
export const REQUEST_MIX: Request[] = [
  { method: 'GET', path: '/users/17' },
  { method: 'GET', path: '/users/4242' },
  { method: 'GET', path: '/users/99' },
  ORDER,
];

/** The database scenario's mix: three reads that each do a Redis GET and a PostgreSQL query, for every order. */
export const DATABASE_MIX: Request[] = [
  { method: 'GET', path: '/profiles/17' },
  { method: 'GET', path: '/profiles/424' },
  { method: 'GET', path: '/profiles/99' },
  ORDER,
];

/** Runs autocannon in this process (the load generator's own process, not the server's). */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  // Grown by doubling; a Float64Array keeps 100k+ samples cheap to sort.
  let samples = new Float64Array(1 << 16);
  let count = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSec,
        requests: options.requests ?? REQUEST_MIX,
      },
      (error, result) => {
        if (error !== null) {
          reject(error);
          return;
        }
        const sorted = samples.subarray(0, count).sort();
        resolve({
          requests: result.requests.total,
          rps: result.requests.total / options.durationSec,
          p50Ms: percentileOfSorted(sorted, 50),
          p99Ms: percentileOfSorted(sorted, 99),
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => {
      if (count === samples.length) {
        const grown = new Float64Array(samples.length * 2);
        grown.set(samples);
        samples = grown;
      }
      samples[count++] = responseTimeMs;
    });
  });
}
