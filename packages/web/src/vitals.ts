/** The Web Vitals this package reports, the OTLP metric each becomes, and its unit. */
export const VITALS = {
  CLS: { metric: 'browser.web_vital.cls', unit: '1', scale: 1 },
  FCP: { metric: 'browser.web_vital.fcp', unit: 's', scale: 1e-3 },
  INP: { metric: 'browser.web_vital.inp', unit: 's', scale: 1e-3 },
  LCP: { metric: 'browser.web_vital.lcp', unit: 's', scale: 1e-3 },
  TTFB: { metric: 'browser.web_vital.ttfb', unit: 's', scale: 1e-3 },
} as const;

export type VitalName = keyof typeof VITALS;

/** The `rating` label: web-vitals' own rating at Google's good / poor boundaries. */
export type Rating = 'good' | 'needs-improvement' | 'poor';

/** One measurement, already in its OTLP unit (seconds, or unitless for CLS). */
export interface VitalSample {
  name: VitalName;
  value: number;
  rating: Rating;
  route: string;
  /** Epoch milliseconds. */
  at: number;
}
