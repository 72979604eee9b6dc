/**
 * `OTEL_RESOURCE_ATTRIBUTES`, read as the OpenTelemetry specification says: a comma-separated list of
 * `key=value` pairs whose keys and values are percent-decoded (`,` and `=` inside them must be encoded).
 * On any malformed entry the whole value is discarded (the spec's rule, so a half-read list never
 * labels data wrongly), and the reason names the entry. `@opentelemetry/resources`' own detector
 * reads `process.env` directly and only reports a failure at diag debug level, hence this module.
 */

import { OPTIONS, type OptionDefinition } from './options.js';

/** The env var, for messages. */
export const RESOURCE_ATTRIBUTES_ENV = 'OTEL_RESOURCE_ATTRIBUTES';

/** What {@link parseResourceAttributes} found. */
export interface EnvResourceAttributes {
  /** Decoded attributes; empty when the value was absent or discarded. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Why the value was discarded, naming the bad entry; undefined when it was fine. */
  readonly error?: string;
}

/** Percent-decodes one key or value; undefined when it is not valid percent-encoding. */
function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

const discarded = (reason: string): EnvResourceAttributes => ({
  attributes: {},
  error: `invalid env ${RESOURCE_ATTRIBUTES_ENV}, ${reason}; the whole value is ignored`,
});

/** Parses an `OTEL_RESOURCE_ATTRIBUTES` value; never throws. */
export function parseResourceAttributes(raw: string | undefined): EnvResourceAttributes {
  if (raw === undefined || raw.trim() === '') return { attributes: {} };
  const attributes: Record<string, string> = {};
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const parts = entry.split('=');
    if (parts.length !== 2) {
      return discarded(`entry "${entry}": expected key=value (percent-encode "," and "=" inside keys and values)`);
    }
    const key = decode((parts[0] as string).trim());
    if (key === undefined) return discarded(`entry "${entry}": the key is not valid percent-encoding`);
    if (key === '') return discarded(`entry "${entry}": the key is empty`);
    const value = decode((parts[1] as string).trim());
    if (value === undefined) return discarded(`entry "${entry}": the value is not valid percent-encoding`);
    attributes[key] = value;
  }
  return { attributes };
}

/**
 * The value `OTEL_RESOURCE_ATTRIBUTES` gives option `key`: its first `resourceAttributes` key (options.ts)
 * that is set. The option's own env var and an explicit option win over it; it wins over the default.
 */
export function resourceValueFor(attributes: Readonly<Record<string, string>>, key: string): string | undefined {
  const names = (OPTIONS as Record<string, OptionDefinition>)[key]?.resourceAttributes;
  if (names === undefined) return undefined;
  for (const name of names) {
    const value = attributes[name];
    if (value !== undefined && value.trim() !== '') return value;
  }
  return undefined;
}
