/**
 * Generates the PII test corpus: secrets and personal data of every kind the rules cover, each
 * placed in every position a service can put a string (span name, status, attributes, string
 * arrays, nested maps, events, links, resource, scope, log bodies of every shape, log attributes,
 * error objects with causes, metric labels) and in one of several encodings (raw, percent-encoded
 * URL, `+`-encoded query, JSON inside a string, an error stack with a cause). Values are generated
 * from a seeded PRNG, so the corpus repeats every run but is not the rules' own examples.
 * Read by collector/test/pii-corpus.test.ts (real collector) and packages/node/test/pii-corpus.test.ts (SDK).
 */

/** One secret: `value` is what must never arrive downstream, `text` how a service emits it. */
export interface CorpusSecret {
  kind: string;
  value: string;
  text: string;
  /** For `header` secrets: the header attribute the value sits under (key-only secrets). */
  headerKey?: string;
}

export const POSITIONS = [
  'span.name',
  'span.status',
  'span.attr',
  'span.attr.array',
  'span.attr.nested',
  'event.name',
  'event.attr',
  'link.attr',
  'resource.attr',
  'scope.attr',
  'log.body.string',
  'log.body.map',
  'log.body.array',
  'log.body.nested',
  'log.attr',
  'log.attr.nested',
  'log.error',
  'metric.label',
] as const;
export type Position = (typeof POSITIONS)[number];

export const ENCODINGS = ['raw', 'percent-url', 'plus-query', 'json-in-string', 'error-cause'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** Positions whose container is a map with a key: the only ones a header (key-only) secret can take. */
const KEYED_POSITIONS = new Set<Position>([
  'span.attr',
  'span.attr.array',
  'span.attr.nested',
  'event.attr',
  'link.attr',
  'log.attr',
  'log.body.map',
  'log.attr.nested',
]);

export interface Placement {
  id: number;
  secret: CorpusSecret;
  position: Position;
  encoding: Encoding;
  /** The string placed (the secret's text in its encoding). */
  payload: string;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Luhn check digit for the digits so far. */
function luhnComplete(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return partial + String((10 - (sum % 10)) % 10);
}

/** The generated secrets: about 70 values in 16 kinds. */
export function corpusSecrets(seed = 20261130): CorpusSecret[] {
  const rnd = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const chars = (n: number, alphabet = ALNUM) => Array.from({ length: n }, () => pick([...alphabet])).join('');
  const digits = (n: number) => chars(n, '0123456789');
  const out: CorpusSecret[] = [];
  const add = (kind: string, value: string, text: string, headerKey?: string) =>
    out.push({ kind, value, text, ...(headerKey ? { headerKey } : {}) });

  const first = ['amara', 'bjorn', 'chiara', 'dmitri', 'esra', 'farid', 'greta', 'hiro', 'ines', 'jonas'];
  const last = ['okafor', 'lindgren', 'rossi', 'volkov', 'yilmaz', 'haddad', 'berg', 'tanaka', 'moreau', 'weber'];
  const domains = ['mail.example.com', 'corp.example.org', 'example.co.uk', 'uni.example.edu', 'example.com.tr'];
  for (let i = 0; i < 8; i++) {
    const sep = pick(['.', '_', '+', '-']);
    const email = `${pick(first)}${sep}${pick(last)}${digits(2)}@${pick(domains)}`;
    add('email', email, pick([`invite sent to ${email}`, `user ${email} signed up`, `reply-to: ${email}`]));
  }
  const phoneFormats = [
    () => `+1 ${digits(3)} 555 ${digits(4)}`,
    () => `+44 20 ${digits(4)} ${digits(4)}`,
    () => `+90 5${digits(2)} ${digits(3)} ${digits(2)} ${digits(2)}`,
    () => `(${pick(['212', '415', '646'])}) 555-${digits(4)}`,
    () => `${pick(['312', '617', '206'])}-555-${digits(4)}`,
    () => `+4915${digits(9)}`,
  ];
  for (const format of phoneFormats) {
    const phone = format();
    add('phone', phone, `verification code sent to ${phone}`);
  }
  const cardPrefixes = ['4', '4', '51', '55', '6011', '2221'];
  for (const [i, prefix] of cardPrefixes.entries()) {
    const number = luhnComplete(prefix + digits(15 - prefix.length));
    const card =
      i % 3 === 0
        ? number.replace(/(\d{4})(?=\d)/g, '$1 ')
        : i % 3 === 1
          ? number.replace(/(\d{4})(?=\d)/g, '$1-')
          : number;
    add('card', card, `charge declined for card ${card}`);
  }
  const amex = luhnComplete(`37${digits(12)}`);
  add('card', amex, `amex on file ${amex}`);
  for (let i = 0; i < 4; i++) {
    const ssn = `${String(100 + Math.floor(rnd() * 565)).padStart(3, '0')}-${String(10 + Math.floor(rnd() * 89))}-${String(1000 + Math.floor(rnd() * 8999))}`;
    add('ssn', ssn, pick([`applicant SSN ${ssn} verified`, `tax id ${ssn} on form W-9`]));
  }
  for (let i = 0; i < 5; i++) {
    const ip = `${pick(['81', '89', '176', '203', '94'])}.${1 + Math.floor(rnd() * 250)}.${1 + Math.floor(rnd() * 250)}.${1 + Math.floor(rnd() * 250)}`;
    add('ipv4', ip, pick([`login from ${ip} rejected`, `client ${ip} rate limited`]));
  }
  for (let i = 0; i < 4; i++) {
    const ip = `2a0${1 + i}:${chars(4, '0123456789abcdef')}:${chars(3, '0123456789abcdef')}:${chars(4, '0123456789abcdef')}::${chars(3, '0123456789abcdef')}`;
    add('ipv6', ip, `peer ${ip} disconnected`);
  }
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  for (let i = 0; i < 4; i++) {
    const token = `${b64('{"alg":"RS256","kid":"k1"}')}.${b64(`{"sub":"${chars(10)}","exp":${1800000000 + i}}`)}.${chars(43, `${ALNUM}-_`)}`;
    add('jwt', token, pick([`token rejected: ${token}`, `id_hint ${token}`]));
  }
  for (let i = 0; i < 4; i++) {
    const token = chars(32 + i * 4);
    add('bearer', token, `Authorization: Bearer ${token}`);
  }
  const queryKeys = ['api_key', 'access_token', 'token', 'client_secret', 'sig', 'X-Amz-Signature'];
  for (const key of queryKeys) {
    const value = chars(28);
    add('query-secret', value, `https://api.example.net/v2/export?format=csv&${key}=${value}&page=3`);
  }
  const vendor = [
    `sk_live_${chars(24)}`,
    `ghp_${chars(36)}`,
    `AKIA${chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    `xoxb-${digits(11)}-${chars(24)}`,
    `AIza${chars(35)}`,
  ];
  for (const key of vendor) add('vendor-key', key, `upstream 401 with key ${key}`);
  for (const scheme of ['postgres', 'redis', 'amqps', 'mongodb+srv']) {
    const pw = `${chars(6)}!${digits(3)}${chars(3)}`;
    add('url-password', pw, `connect ${scheme}://svc_user:${pw}@db.internal.example:5432/app failed`);
  }
  for (let i = 0; i < 3; i++) {
    const pw = `${pick(first)}-${chars(5)}#${digits(2)}`;
    add('json-password', pw, `login body {"username":"u${i}","password":"${pw}"}`);
  }
  for (const name of ['session', 'sid', 'connect.sid', 'JSESSIONID']) {
    const value = chars(24);
    add(
      'cookie',
      value,
      name === 'sid' ? `Cookie: sid=${value}; theme=dark` : `restored ${name}=${value} for the user`,
    );
  }
  for (const iban of ['GB82WEST12345698765432', 'DE89 3704 0044 0532 0130 00', 'NL91ABNA0417164300']) {
    add('iban', iban, `payout to ${iban} scheduled`);
  }
  const places: Array<[string, string]> = [
    ['41.0082376', '28.9783589'],
    ['-33.8567844', '151.2152967'],
    ['52.5200066', '13.4049540'],
    ['37.7749295', '-122.4194155'],
  ];
  for (const [i, [lat, lon]] of places.entries()) {
    add('coords', lat, i % 2 === 0 ? `/api/nearby?lat=${lat}&lon=${lon}&radius=500` : `presence at ${lat},${lon}`);
    add('coords', lon, i % 2 === 0 ? `{"latitude":${lat},"longitude":${lon}}` : `moved to ${lat}, ${lon}`);
  }
  for (const header of ['x-user-email-hash', 'x-customer-name']) {
    const value = `${pick(first)}-${chars(10)}`;
    add('header', value, value, `http.request.header.${header}`);
  }
  return out;
}

/** The secret's text in an encoding, as a service would emit it. */
export function encode(text: string, encoding: Encoding): string {
  switch (encoding) {
    case 'raw':
      return text;
    case 'percent-url':
      return `https://divan.example.com/api/feed?note=${encodeURIComponent(text)}&page=2`;
    case 'plus-query':
      return `q=${encodeURIComponent(text).replaceAll('%20', '+')}&sort=desc`;
    case 'json-in-string':
      return JSON.stringify({ event: 'invite', detail: text });
    case 'error-cause':
      return `Error: request failed\n    at handler (/app/src/routes.ts:42:7)\n  [cause]: Error: ${text}`;
  }
}

/** Every secret in every position; the encoding rotates so each position sees every encoding. */
export function corpusPlacements(secrets: CorpusSecret[] = corpusSecrets()): Placement[] {
  const out: Placement[] = [];
  secrets.forEach((secret, i) => {
    POSITIONS.forEach((position, p) => {
      if (secret.headerKey !== undefined && !KEYED_POSITIONS.has(position)) return;
      const encoding = secret.headerKey !== undefined ? 'raw' : (ENCODINGS[(i + p) % ENCODINGS.length] as Encoding);
      out.push({ id: out.length, secret, position, encoding, payload: encode(secret.text, encoding) });
    });
  });
  return out;
}

/** The forms in which `value` would be recognisable downstream: raw, percent-, plus- and JSON-escaped. */
export function leakForms(value: string): string[] {
  const forms = new Set([
    value,
    encodeURIComponent(value),
    encodeURIComponent(value).replaceAll('%20', '+'),
    JSON.stringify(value).slice(1, -1),
    JSON.stringify(JSON.stringify(value).slice(1, -1)).slice(1, -1),
  ]);
  return [...forms];
}

/** Where `value` shows up in `text` (160 characters around it), for failure messages. */
export function leakContext(text: string, value: string): string {
  for (const form of leakForms(value)) {
    const at = text.indexOf(form);
    if (at >= 0) return text.slice(Math.max(0, at - 80), at + form.length + 80);
  }
  return '';
}

/** Placements whose secret shows up in `text` in any recognisable form. */
export function leaksIn(text: string, placements: Placement[]): Placement[] {
  const seen = new Map<string, boolean>();
  return placements.filter((p) => {
    let leaked = seen.get(p.secret.value);
    if (leaked === undefined) {
      leaked = leakForms(p.secret.value).some((form) => text.includes(form));
      seen.set(p.secret.value, leaked);
    }
    return leaked;
  });
}
