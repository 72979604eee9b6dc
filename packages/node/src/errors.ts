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

/** A factory for one registered code; `.code` is the code it creates, `.description` when it is thrown. */
export interface ErrorFactory<A extends unknown[], C extends string = string> {
  (...args: A): SightlineError;
  readonly code: C;
  readonly description: string;
}

function define<const C extends string, A extends unknown[]>(
  code: C,
  description: string,
  message: (...args: A) => string,
): ErrorFactory<A, C> {
  const create = (...args: A) => {
    const error = new SightlineError(code, message(...args));
    // The stack starts where the error was thrown, not in this factory.
    Error.captureStackTrace?.(error, create);
    return error;
  };
  return Object.assign(create, { code, description });
}

const detail = (text: string) => text;

/** Every registered error; the key is the code without its `SIGHTLINE_` prefix. */
export const errors = {
  NOT_INITIALIZED: define(
    'SIGHTLINE_NOT_INITIALIZED',
    'an HTTP adapter got an object that `init()` did not return',
    (what: string) => `${what}: pass the object returned by init()`,
  ),
  CONFIG_PII_RULES: define(
    'SIGHTLINE_CONFIG_PII_RULES',
    'a PII rule does not compile; names the rule (start-up fails: `SIGHTLINE_START_FAILED`)',
    (rule: string, why: string) => `${rule}: ${why}`,
  ),
  HEALTH_PROBE_NAME: define(
    'SIGHTLINE_HEALTH_PROBE_NAME',
    '`addReadinessProbe` or `addStartupCheck` got a name that is not lower-case letters, digits and `_`',
    (name: string) => `probe name "${name}" must be lower-case letters, digits and _`,
  ),
  HEALTH_PROBE_TIMEOUT: define(
    'SIGHTLINE_HEALTH_PROBE_TIMEOUT',
    "a probe or check did not settle within its `timeoutMs`: its `signal` is aborted with this error and the report's reason is `timeout`",
    (timeoutMs: number) => `probe timed out after ${timeoutMs} ms`,
  ),
  CATALOG_NAMESPACE: define('SIGHTLINE_CATALOG_NAMESPACE', 'a catalog namespace is not `[a-z][a-z0-9_]{0,31}`', detail),
  CATALOG_DEFINITION: define(
    'SIGHTLINE_CATALOG_DEFINITION',
    '`defineCatalog` got a bad name, kind, label rule, label set or buckets; names the key',
    detail,
  ),
  CATALOG_LABEL_VALUES: define(
    'SIGHTLINE_CATALOG_LABEL_VALUES',
    'configured label values are unknown, not strings, or too many; names the label set',
    detail,
  ),
  CATALOG_KIND: define(
    'SIGHTLINE_CATALOG_KIND',
    'a definition kind has no recorder (observable gauges are created by what observes them)',
    detail,
  ),
  CATALOG_NOT_REGISTERED: define(
    'SIGHTLINE_CATALOG_NOT_REGISTERED',
    '`createDomainMetrics` got something that is not a catalog given to `init({ catalogs })`, so its views would not apply',
    detail,
  ),
  CATALOG_CONFLICT: define(
    'SIGHTLINE_CATALOG_CONFLICT',
    '`init({ catalogs })` got catalogs with different namespaces, or one instrument twice',
    detail,
  ),
} as const;

/**
 * Codes that are never thrown but start a line on stderr (`[sightline] <code>: ...`), so they are
 * searchable like the rest.
 */
export const REPORTED = {
  START_FAILED: {
    code: 'SIGHTLINE_START_FAILED',
    description: 'the SDK could not start (the cause follows); `init()` returned a no-op Sightline',
  },
  CONFIG_OTEL_RESOURCE_ATTRIBUTES: {
    code: 'SIGHTLINE_CONFIG_OTEL_RESOURCE_ATTRIBUTES',
    description: '`OTEL_RESOURCE_ATTRIBUTES` is malformed; the whole value is ignored, never fatal',
  },
  CONFIG_REMOVED_OPTION: {
    code: 'SIGHTLINE_CONFIG_REMOVED_OPTION',
    description:
      'an option the SDK no longer reads was passed (a service setting such as `redisUrl`); it is ignored and the line names the replacement',
  },
} as const;

/** The codes of {@link REPORTED}. */
export const REPORTED_CODES = Object.values(REPORTED).map((entry) => entry.code);

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
  | (typeof REPORTED)[keyof typeof REPORTED]['code'];
