/**
 * The one registry of errors the SDK throws (like Fastify's `lib/errors.js`). Every error is a
 * {@link SightlineError} whose `.code` is a stable `SIGHTLINE_*` string, so callers branch on `code`,
 * never on message text. Throw through the table: `throw errors.HEALTH_PROBE_NAME(name)`.
 *
 * Adding an error: add one entry below (its code is `SIGHTLINE_<ENTRY NAME>`), pin the code in
 * test/errors.test.ts and list it in the README's "Errors" section. A code never changes meaning.
 */

/** An error with a stable `SIGHTLINE_*` code. Its message is `<code>: <detail>`. */
export class SightlineError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.name = 'SightlineError';
    this.code = code;
  }
}

/** Prefix of the config-error family: one code per option, `SIGHTLINE_CONFIG_<OPTION_IN_SNAKE_CASE>`. */
export const CONFIG_CODE_PREFIX = 'SIGHTLINE_CONFIG_';

/** `otlpEndpoint` -> `SIGHTLINE_CONFIG_OTLP_ENDPOINT`: the code of an invalid option. */
export function configErrorCode(option: string): `SIGHTLINE_CONFIG_${string}` {
  return `${CONFIG_CODE_PREFIX}${option.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** A factory for one registered code; `.code` is the code it creates. */
export interface ErrorFactory<A extends unknown[], C extends string = string> {
  (...args: A): SightlineError;
  readonly code: C;
}

function define<const C extends string, A extends unknown[]>(
  code: C,
  message: (...args: A) => string,
): ErrorFactory<A, C> {
  const create = (...args: A) => {
    const error = new SightlineError(code, message(...args));
    // The stack starts where the error was thrown, not in this factory.
    Error.captureStackTrace?.(error, create);
    return error;
  };
  return Object.assign(create, { code });
}

/** Every registered error; the key is the code without its `SIGHTLINE_` prefix. */
export const errors = {
  /** An adapter or helper got something other than the object `init()` returned. */
  NOT_INITIALIZED: define('SIGHTLINE_NOT_INITIALIZED', (what: string) => `${what}: pass the object returned by init()`),
  /** A PII rule (built in or from `piiRules`) does not compile; names the rule. */
  CONFIG_PII_RULES: define('SIGHTLINE_CONFIG_PII_RULES', (rule: string, why: string) => `${rule}: ${why}`),
  /** A readiness probe or startup check name is not lower-case letters, digits and `_`. */
  HEALTH_PROBE_NAME: define(
    'SIGHTLINE_HEALTH_PROBE_NAME',
    (name: string) => `probe name "${name}" must be lower-case letters, digits and _`,
  ),
  /** A readiness probe did not settle within `healthProbeTimeoutMs` (reported as reason `timeout`). */
  HEALTH_PROBE_TIMEOUT: define(
    'SIGHTLINE_HEALTH_PROBE_TIMEOUT',
    (timeoutMs: number) => `probe timed out after ${timeoutMs} ms`,
  ),
  /** A catalog namespace is not `[a-z][a-z0-9_]{0,31}`. */
  CATALOG_NAMESPACE: define('SIGHTLINE_CATALOG_NAMESPACE', (detail: string) => detail),
  /** Configured label values are unknown, not strings, or too many; names the label set. */
  CATALOG_LABEL_VALUES: define('SIGHTLINE_CATALOG_LABEL_VALUES', (detail: string) => detail),
  /** A definition's kind has no recorder (observable gauges are created by their observer). */
  CATALOG_KIND: define('SIGHTLINE_CATALOG_KIND', (detail: string) => detail),
  /** `defineCatalog` got a bad namespace-relative name, kind, label rule, label set or buckets; names the key. */
  CATALOG_DEFINITION: define('SIGHTLINE_CATALOG_DEFINITION', (detail: string) => detail),
  /** `createDomainMetrics` got a catalog `init({ catalogs })` was not given, so its views would not apply. */
  CATALOG_NOT_REGISTERED: define('SIGHTLINE_CATALOG_NOT_REGISTERED', (detail: string) => detail),
  /** `init({ catalogs })`: catalogs with different namespaces, or one instrument defined twice. */
  CATALOG_CONFLICT: define('SIGHTLINE_CATALOG_CONFLICT', (detail: string) => detail),
} as const;

/**
 * Codes that are never thrown but start a line on stderr, so they are searchable like the rest:
 * start-up failed (observability is off), and an ignored `OTEL_RESOURCE_ATTRIBUTES`.
 */
export const REPORTED_CODES = ['SIGHTLINE_START_FAILED', 'SIGHTLINE_CONFIG_OTEL_RESOURCE_ATTRIBUTES'] as const;

/** An invalid option: `SIGHTLINE_CONFIG_<OPTION>` naming where the value came from and what was wrong. */
export function configError(option: string, detail: string): SightlineError {
  const error = new SightlineError(configErrorCode(option), detail);
  Error.captureStackTrace?.(error, configError);
  return error;
}

/** Every fixed code in the registry (the per-option config codes come from {@link configErrorCode}). */
export type SightlineErrorCode =
  | (typeof errors)[keyof typeof errors]['code']
  | `SIGHTLINE_CONFIG_${string}`
  | (typeof REPORTED_CODES)[number];
