// The "Frontend / Web Vitals" dashboard: p75 of each Core Web Vital by page route and the share of
// good / needs-improvement / poor page views, from the histograms the SDK records from
// @sightline/web beacons (packages/node/src/http/ingest.ts). Thresholds are Google's boundaries;
// each is also a bucket bound, so a p75 near a boundary is not smeared across a wide bucket.
import { type DashboardSpec, type PanelSpec, prom, SEL, serviceVariables } from './kit.ts';

const RATE = '$__rate_interval';

/** The vitals: Prometheus family, title, unit and Google's good / poor boundaries. */
const VITALS = [
  {
    family: 'browser_web_vital_lcp_seconds',
    name: 'LCP',
    title: 'Largest Contentful Paint',
    unit: 's',
    good: 2.5,
    poor: 4,
  },
  {
    family: 'browser_web_vital_inp_seconds',
    name: 'INP',
    title: 'Interaction to Next Paint',
    unit: 's',
    good: 0.2,
    poor: 0.5,
  },
  {
    family: 'browser_web_vital_cls',
    name: 'CLS',
    title: 'Cumulative Layout Shift',
    unit: 'none',
    good: 0.1,
    poor: 0.25,
  },
  {
    family: 'browser_web_vital_fcp_seconds',
    name: 'FCP',
    title: 'First Contentful Paint',
    unit: 's',
    good: 1.8,
    poor: 3,
  },
  {
    family: 'browser_web_vital_ttfb_seconds',
    name: 'TTFB',
    title: 'Time to First Byte',
    unit: 's',
    good: 0.8,
    poor: 1.8,
  },
] as const;

const p75 = (family: string, by = '') =>
  `histogram_quantile(0.75, sum by (le${by === '' ? '' : `, ${by}`}) (rate(${family}_bucket{${SEL}}[${RATE}])))`;
/** Share of page views per rating; `rating` comes from web-vitals at the same boundaries. */
const share = (family: string) =>
  `sum by (rating) (rate(${family}_count{${SEL}}[${RATE}])) / ignoring (rating) group_left sum(rate(${family}_count{${SEL}}[${RATE}]))`;

const thresholds = (v: (typeof VITALS)[number]): Array<[number, string]> => [
  [v.good, 'orange'],
  [v.poor, 'red'],
];

const headline: PanelSpec[] = VITALS.map((v) => ({
  title: `p75 ${v.name}`,
  description: `${v.title}, 75th percentile of page views. Good below ${v.good}${v.unit === 's' ? ' s' : ''}, poor above ${v.poor}${v.unit === 's' ? ' s' : ''}.`,
  type: 'stat',
  targets: [prom(p75(v.family), v.name)],
  unit: v.unit,
  thresholds: thresholds(v),
  w: v.name === 'LCP' ? 4 : 5,
  h: 5,
}));

const byRoute: PanelSpec[] = VITALS.map((v) => ({
  title: `p75 ${v.name} by route`,
  description: `${v.title} by page route template (routes the page did not list are "other").`,
  type: 'timeseries',
  targets: [prom(p75(v.family, 'route'), '{{route}}')],
  unit: v.unit,
  thresholds: thresholds(v),
  w: v.name === 'TTFB' ? 24 : 12,
}));

const ratings: PanelSpec[] = VITALS.map((v) => ({
  title: `${v.name} rating share`,
  description: `Share of ${v.name} measurements rated good / needs-improvement / poor.`,
  type: 'timeseries',
  targets: [prom(share(v.family), '{{rating}}')],
  unit: 'percentunit',
  min: 0,
  max: 1,
  stacked: true,
  w: v.name === 'TTFB' ? 24 : 12,
}));

export const webVitalsDashboard: DashboardSpec = {
  uid: 'sightline-web-vitals',
  title: 'Frontend / Web Vitals',
  description:
    "Core Web Vitals (LCP, INP, CLS) plus FCP and TTFB of pages using @sightline/web: p75 by route and rating share, at Google's good / poor boundaries.",
  tags: ['frontend'],
  variables: serviceVariables,
  from: 'now-6h',
  links: [{ title: 'Backend Overview', uid: 'sightline-backend-overview' }],
  items: [
    { row: 'p75 over all routes' },
    ...headline,
    { row: 'p75 by route' },
    ...byRoute,
    { row: 'Rating share' },
    ...ratings,
  ],
};
