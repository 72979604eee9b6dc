/**
 * A corpus of realistic secrets and personal data, and of look-alikes that are NOT personal and
 * must survive the collector unchanged. Values are made up but shaped like the real thing.
 */

/** One secret: `value` is the text that must not reach any backend. */
export interface Secret {
  kind: string;
  /** The identifying text; its appearance anywhere downstream is a leak. */
  value: string;
  /** The text the service emits, with `value` inside it. */
  text: string;
}

const emails = [
  'maria.gonzalez@example.com',
  'j.smith+billing@corp.example.org',
  'olu.adebayo@mail.example.ng',
  'chen_wei1987@example.cn',
  'ANNA.KOWALSKA@EXAMPLE.PL',
  'dev-ops@sub.domain.example.co.uk',
  'li.na@university.example.edu',
  'k.nakamura@example.jp',
  'françois@example.fr'.replace('ç', 'c'),
  'priya.raman@health.example.in',
  'o.brien@example.ie',
  'support+ticket-4411@example.io',
  'x.y.z@example.museum',
  'amir.h@example.ae',
  'lucas.silva@example.com.br',
  'sven.eriksson@example.se',
  'fatima.zahra@example.ma',
  'noreply-bot@alerts.example.net',
  'ivan.petrov@example.ru',
  'mei.ling@example.sg',
  'tom_o_connor@example.com',
  'hr.team@example.dev',
];

const phones = [
  '+1 415 555 2671',
  '+44 20 7946 0958',
  '+49 30 12345678',
  '+33 1 42 68 53 00',
  '(415) 555-0132',
  '212-555-0187',
  '+14155552671',
  '+91 98765 43210',
  '+61 2 9374 4000',
  '+81 3-1234-5678',
  '650.555.0199',
  '+234 803 123 4567',
  '+55 11 91234-5678',
  '+353 1 677 0095',
  '+447911123456',
];

const cards = [
  '4111111111111111',
  '4111 1111 1111 1111',
  '4012-8888-8888-1881',
  '5555555555554444',
  '5105 1051 0510 5100',
  '378282246310005',
  '3714 496353 98431',
  '6011111111111117',
  '6011 0009 9013 9424',
  '2223003122003222',
  '4000056655665556',
  '5200828282828210',
];

const ipv4 = [
  '203.0.113.195',
  '198.51.100.23',
  '192.168.14.77',
  '10.24.131.9',
  '172.16.254.3',
  '81.2.69.142',
  '89.160.20.128',
  '216.160.83.56',
  '2.125.160.216',
  '175.16.199.4',
  '67.43.156.12',
  '149.101.100.5',
];

const ipv6 = [
  '2001:db8:85a3:8d3:1319:8a2e:370:7348',
  '2001:0db8:0000:0000:0000:ff00:0042:8329',
  'fe80::1ff:fe23:4567:890a',
  '2a02:598:2::1222',
  '2001:db8::7',
  '2607:f8b0:4005:80a::200e',
];

const coords: Array<[string, string]> = [
  ['48.858370', '2.294481'],
  ['40.689247', '-74.044502'],
  ['-33.856784', '151.215297'],
  ['35.658581', '139.745433'],
  ['51.500729', '-0.124625'],
  ['-22.951916', '-43.210487'],
  ['37.819929', '-122.478255'],
  ['55.752023', '37.617499'],
];

// Deterministic pseudo-random strings so the corpus is the same every run.
let seed = 42;
function chars(length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out += alphabet[seed % alphabet.length];
  }
  return out;
}
const b64url = (s: string) => Buffer.from(s).toString('base64url');

function jwt(sub: string): string {
  return `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${sub}","iat":1716400000,"role":"member"}`)}.${chars(43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')}`;
}

export function buildSecrets(): Secret[] {
  const secrets: Secret[] = [];
  const add = (kind: string, value: string, text: string) => secrets.push({ kind, value, text });

  for (const email of emails) add('email', email, `invite sent to ${email} for room 12`);
  for (const phone of phones) add('phone', phone, `SMS verification code sent to ${phone}`);
  for (const card of cards) add('card', card, `charge failed for card ${card} exp 12/29`);
  for (const ip of ipv4) add('ipv4', ip, `login from ${ip} rejected`);
  for (const ip of ipv6) add('ipv6', ip, `client address ${ip} throttled`);
  for (const [lat, lon] of coords) {
    add('coords', lat, `presence at ${lat},${lon}`);
    add('coords', lon, `user location ${lat}, ${lon} updated`);
  }
  for (let i = 0; i < 10; i++) {
    const token = chars(40);
    add('bearer', token, `Authorization: Bearer ${token}`);
  }
  for (let i = 0; i < 10; i++) {
    const token = jwt(`user-${i}`);
    add('jwt', token, i % 2 === 0 ? `refresh failed for ${token}` : `Bearer ${token}`);
  }
  const queryKeys = ['api_key', 'apikey', 'access_token', 'token', 'client_secret', 'sig', 'api-key', 'auth_token'];
  for (let i = 0; i < 16; i++) {
    const value = chars(32);
    const key = queryKeys[i % queryKeys.length];
    add('query-key', value, `https://api.example.com/v2/export?format=csv&${key}=${value}&page=${i}`);
  }
  const vendor = [
    `sk_live_${chars(24)}`,
    `sk_test_${chars(24)}`,
    `ghp_${chars(36)}`,
    `AKIA${chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    `xoxb-${chars(12, '0123456789')}-${chars(24)}`,
    `AIza${chars(35)}`,
    `pk_live_${chars(24)}`,
    `gho_${chars(36)}`,
  ];
  for (const key of vendor) add('vendor-key', key, `upstream call with key ${key} returned 401`);
  const urlPasswords = [
    'S3cr3t!pw',
    'hunter2hunter2',
    'Pa55w0rd%21',
    'tr0ub4dor',
    'rootroot99',
    'letMeIn2024',
    'zx9-Qq7-Lm2',
    'admin1234',
  ];
  const schemes = ['postgres', 'redis', 'amqp', 'mongodb', 'https', 'mysql', 'ftp', 'postgresql'];
  for (const [i, pw] of urlPasswords.entries()) {
    add('url-password', pw, `connect ${schemes[i]}://app_user:${pw}@db-${i}.internal.example:5432/app failed`);
  }
  const bodyPasswords = [
    'correct horse battery staple',
    'Winter2024!',
    'p@ssw0rd-xyz',
    'qwerty-987-asd',
    'SuperSecret#1',
    'mango_tango_77',
  ];
  for (const [i, pw] of bodyPasswords.entries()) {
    add(
      'body-password',
      pw,
      i % 2 === 0
        ? `request body {"username":"u${i}","password":"${pw}"}`
        : `form: username=u${i}&password=${pw}&remember=1`,
    );
  }
  const surnames = [
    'Okonkwo',
    'Vasquez-Lindqvist',
    'Abernathy',
    "O''Malley",
    'Nakagawa',
    'Przybylski',
    'Haddad',
    'Fitzgerald',
  ];
  for (const [i, name] of surnames.entries()) {
    add(
      'sql-literal',
      name.replace("''", "'"),
      `SELECT id FROM users WHERE last_name = '${name}' AND tenant_id = ${4000 + i}`,
    );
  }
  const nationalIds = ['123456789', '987654321', '555443333', '780512345'];
  for (const id of nationalIds) add('sql-literal', id, `UPDATE people SET verified = true WHERE national_id = ${id}`);
  return secrets;
}

/**
 * Non-personal values that look like personal ones; each must arrive unchanged. Order ids,
 * versions, ISO timestamps, UUID request ids, epoch-millisecond timestamps, route templates.
 */
export const lookAlikes = [
  'ORD-2024-000123',
  'ORD-2025-998877',
  'INV-000045-2024',
  '1.2.3',
  '2.14.0-rc.1',
  'v20.19.4',
  '2024-05-01T12:34:56.789Z',
  '2026-11-22T20:31:07Z',
  '3f2b8c1e-9a4d-4e2b-8f6a-1c2d3e4f5a6b',
  'req_01HZX3K9Q7T2M5N8P4R6S0V1W2',
  '1716400000000',
  '/api/orders/:orderId/items',
  'token_type=access',
  'status_code=200',
  'duration_ms=412.5',
  'build 4f9c2e1',
];
