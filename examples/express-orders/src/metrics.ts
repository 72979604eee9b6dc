// The service's own metrics (SDK README, "Your metrics"): one catalog, one namespace, bounded labels.
import { defineCatalog } from '@sightline/node';

/** Sales channels a client may name; anything else is recorded as `other`. */
export const CHANNELS = ['web', 'mobile', 'store'] as const;

export const catalog = defineCatalog({
  namespace: 'orders',
  metrics: {
    created: {
      name: 'created',
      kind: 'counter',
      unit: '{order}',
      description: 'Orders created, by sales channel',
      labels: { channel: { kind: 'enum', values: CHANNELS } },
    },
    value: {
      name: 'value',
      kind: 'histogram',
      unit: '{EUR}',
      description: 'Order value in euros, by sales channel',
      labels: { channel: { kind: 'enum', values: CHANNELS } },
      buckets: [5, 10, 25, 50, 100, 250, 500, 1000],
    },
    checkoutsActive: {
      name: 'checkouts.active',
      kind: 'updown',
      unit: '{checkout}',
      description: 'Order requests being handled right now',
      labels: {},
    },
  },
});
