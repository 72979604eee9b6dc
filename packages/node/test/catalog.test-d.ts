// Type-level tests of the catalog engine, run by `vitest --typecheck` (the `types` check): each
// `@ts-expect-error` line must fail to compile, and an unused one fails this file on its own.
import { describe, expectTypeOf, it } from 'vitest';
import { defineCatalog, type Recorders } from '../src/catalog/index.ts';
import type { shopCatalog } from './catalog-helpers.ts';

declare const metrics: Recorders<typeof shopCatalog>;

describe('catalog labels at compile time', () => {
  it('rejects a label the metric does not have', () => {
    // @ts-expect-error `area` is not a label of shop.orders.placed
    metrics.ordersPlaced.inc({ area: 'eu' });
    expectTypeOf(metrics.ordersPlaced.inc).toBeCallableWith({ region: 'eu' });
  });

  it('rejects an extra label', () => {
    // @ts-expect-error an extra label is a compile error too
    metrics.logins.inc({ outcome: 'success', user_id: 'u1' });
    expectTypeOf(metrics.logins.inc).toBeCallableWith({ outcome: 'success' });
  });

  it('requires the labels of a labelled metric', () => {
    // @ts-expect-error a labelled metric needs its labels
    metrics.ordersPlaced.inc();
    expectTypeOf(metrics.ordersPlaced.inc).parameters.not.toEqualTypeOf<[]>();
  });

  it('takes no labels on an unlabelled metric', () => {
    // @ts-expect-error shop.carts.open has no labels
    metrics.cartsOpen.inc({ cart: 'c1' });
    expectTypeOf(metrics.cartsOpen.inc).toBeCallableWith();
  });

  it('gives observable gauges no recorder', () => {
    // @ts-expect-error observable gauges have no recorder
    void metrics.warehouseLoad;
    expectTypeOf<Recorders<typeof shopCatalog>>().not.toHaveProperty('warehouseLoad');
  });

  it('rejects a configured rule naming a label set the catalog does not declare', () => {
    defineCatalog({
      namespace: 'shop',
      labelSets: { regions: { max: 4 } },
      metrics: {
        orders: {
          name: 'orders',
          kind: 'counter',
          unit: '{order}',
          description: 'Orders',
          // @ts-expect-error `areas` is not one of the catalog's labelSets
          labels: { area: { kind: 'configured', set: 'areas' } },
        },
      },
    });
  });
});
