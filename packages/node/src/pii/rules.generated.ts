// Generated from pii/rules.yaml by scripts/gen-pii-rules.ts (node --import tsx scripts/gen-pii-rules.ts). Do not edit:
// edit pii/rules.yaml and regenerate; a test fails when this file is stale.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: replacements hold group references, not templates
import type { PiiRuleSpec } from './spec.js';

export const PII_RULES: PiiRuleSpec = {
  version: 1,
  limits: {
    max_depth: 64,
    max_string_bytes: 1048576,
    depth_marker: '[TRUNCATED_DEPTH]',
    truncated_marker: '[TRUNCATED]',
  },
  decode: {
    percent: true,
    plus_as_space: true,
    max_rounds: 2,
  },
  keys: {
    drop: [
      {
        name: 'secret-or-personal-key',
        pattern:
          '^(?:.*[._-])?(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|authorization|proxy-authorization|cookie|set-cookie|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|token|session[_-]?id|sessionid|x-forwarded-for|forwarded|x-real-ip|true-client-ip|cf-connecting-ip|card[_-]?number|cvv|cvc|ssn|email|e-mail|iban|phone|phone[_-]?number)$',
      },
    ],
    headers: {
      prefixes: ['http.request.header.', 'http.response.header.'],
      map_keys: ['headers'],
      allow: [
        'accept',
        'accept-encoding',
        'accept-language',
        'cache-control',
        'content-encoding',
        'content-language',
        'content-length',
        'content-type',
        'etag',
        'host',
        'if-none-match',
        'traceparent',
        'tracestate',
        'user-agent',
        'vary',
        'x-correlation-id',
        'x-request-id',
      ],
    },
  },
  numbers: [
    {
      name: 'geo-coordinate-number',
      key_pattern: '^(?:.*[._])?(?:lat|lon|lng|latitude|longitude)$',
      decimals: 2,
    },
  ],
  patterns: [
    {
      name: 'url-credentials',
      pattern: '([A-Za-z][A-Za-z0-9+.-]{0,20}://)[^/\\s@"\'<>]{1,256}@',
      replace: '${1}[REDACTED]@',
      hints: ['://'],
      examples: [
        {
          in: 'connect postgres://app_user:S3cr3t!pw@db-0.internal:5432/app failed',
          out: 'connect postgres://[REDACTED]@db-0.internal:5432/app failed',
        },
      ],
    },
    {
      name: 'jwt',
      pattern: 'eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]+',
      replace: '[REDACTED_JWT]',
      hints: ['eyJ'],
      examples: [
        {
          in: 'refresh failed for eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
          out: 'refresh failed for [REDACTED_JWT]',
        },
      ],
    },
    {
      name: 'auth-scheme',
      pattern: '\\b(bearer|basic|digest)\\s+[A-Za-z0-9._~+/=-]{6,}',
      flags: 'i',
      replace: '${1} [REDACTED]',
      hints: ['bearer', 'basic', 'digest'],
      examples: [
        {
          in: 'Authorization: Bearer abcdef0123456789',
          out: 'Authorization: Bearer [REDACTED]',
        },
      ],
    },
    {
      name: 'cookie-header',
      pattern: '\\b((?:set-)?cookie\\s*:\\s*)[^\\r\\n]+',
      flags: 'i',
      replace: '${1}[REDACTED]',
      hints: ['cookie'],
      examples: [
        {
          in: 'Cookie: sid=abc123def; theme=dark',
          out: 'Cookie: [REDACTED]',
        },
      ],
    },
    {
      name: 'secret-key-value-quoted',
      pattern:
        '((?:\\b|_)(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|token|sig|signature|credentials?|session|session[_-]?id|sessionid|sid|jsessionid|phpsessid|connect\\.sid|otp|pin|cvv|cvc|ssn|email|e-mail|phone|iban|card[_-]?number)["\']?\\s*[:=]\\s*)(?:"[^"]*"|\'[^\']*\')',
      flags: 'i',
      replace: '${1}"[REDACTED]"',
      hints: [
        'pass',
        'pwd',
        'secret',
        'key',
        'token',
        'sig',
        'signature',
        'credential',
        'session',
        'sid',
        'otp',
        'pin',
        'cvv',
        'cvc',
        'ssn',
        'mail',
        'phone',
        'iban',
        'card',
      ],
      examples: [
        {
          in: 'request body {"username":"u0","password":"correct horse battery staple"}',
          out: 'request body {"username":"u0","password":"[REDACTED]"}',
        },
      ],
    },
    {
      name: 'secret-key-value-escaped',
      pattern:
        '((?:\\b|_)(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|token|sig|signature|credentials?|session|session[_-]?id|sessionid|sid|jsessionid|phpsessid|connect\\.sid|otp|pin|cvv|cvc|ssn|email|e-mail|phone|iban|card[_-]?number)\\\\+"\\s*:\\s*\\\\+")[^"\\\\]*',
      flags: 'i',
      replace: '${1}[REDACTED]',
      hints: [
        'pass',
        'pwd',
        'secret',
        'key',
        'token',
        'sig',
        'signature',
        'credential',
        'session',
        'sid',
        'otp',
        'pin',
        'cvv',
        'cvc',
        'ssn',
        'mail',
        'phone',
        'iban',
        'card',
      ],
      examples: [
        {
          in: 'payload {\\"user\\":\\"u1\\",\\"password\\":\\"Winter2024!\\"}',
          out: 'payload {\\"user\\":\\"u1\\",\\"password\\":\\"[REDACTED]\\"}',
        },
      ],
    },
    {
      name: 'secret-key-value',
      pattern:
        '((?:\\b|_)(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|token|sig|signature|credentials?|session|session[_-]?id|sessionid|sid|jsessionid|phpsessid|connect\\.sid|otp|pin|cvv|cvc|ssn|email|e-mail|phone|iban|card[_-]?number)["\']?\\s*[:=]\\s*)[^"\'&\\s,;}\\]\\[<>]+',
      flags: 'i',
      replace: '${1}[REDACTED]',
      hints: [
        'pass',
        'pwd',
        'secret',
        'key',
        'token',
        'sig',
        'signature',
        'credential',
        'session',
        'sid',
        'otp',
        'pin',
        'cvv',
        'cvc',
        'ssn',
        'mail',
        'phone',
        'iban',
        'card',
      ],
      examples: [
        {
          in: 'https://api.example.com/v2/export?format=csv&api_key=k8Jd93mQpL0zXv7Rt2Yw&page=2',
          out: 'https://api.example.com/v2/export?format=csv&api_key=[REDACTED]&page=2',
        },
        {
          in: 'cookie jar: session=aa11bb22cc33dd44ee55ff66 expired',
          out: 'cookie jar: session=[REDACTED] expired',
        },
        {
          in: 'host=db.internal user=app password=hunter2hunter2 sslmode=require',
          out: 'host=db.internal user=app password=[REDACTED] sslmode=require',
        },
      ],
    },
    {
      name: 'vendor-key',
      pattern:
        '\\b(?:(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,}|glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36})',
      replace: '[REDACTED_KEY]',
      hints: ['sk_', 'pk_', 'rk_', 'gh', 'AKIA', 'ASIA', 'xox', 'AIza', 'glpat-', 'npm_'],
      examples: [
        {
          in: 'upstream call with key sk_live_4eC39HqLyjWDarjtT1zdp7dc returned 401',
          out: 'upstream call with key [REDACTED_KEY] returned 401',
        },
      ],
    },
    {
      name: 'email',
      pattern: '[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){0,8}\\.[A-Za-z]{2,24}',
      replace: '[REDACTED_EMAIL]',
      hints: ['@'],
      examples: [
        {
          in: 'invite sent to j.smith+billing@corp.example.org for room 12',
          out: 'invite sent to [REDACTED_EMAIL] for room 12',
        },
      ],
    },
    {
      name: 'geo-pair',
      pattern: '(-?\\b\\d{1,3}\\.\\d{2})\\d+(\\s*,\\s*-?\\d{1,3}\\.\\d{2})\\d+',
      replace: '${1}${2}',
      min_digits: 8,
      examples: [
        {
          in: 'presence at 48.858370,2.294481',
          out: 'presence at 48.85,2.29',
        },
      ],
    },
    {
      name: 'geo-key-value',
      pattern: '((?:\\b|_)(?:lat|lng|lon|latitude|longitude)\\\\?["\']?\\s*[:=]\\s*\\\\?["\']?-?\\d{1,3}\\.\\d{2})\\d+',
      flags: 'i',
      replace: '${1}',
      min_digits: 4,
      hints: ['lat', 'lon', 'lng'],
      examples: [
        {
          in: '/api/nearby?lat=41.0082376&lon=28.9783589&radius=500',
          out: '/api/nearby?lat=41.00&lon=28.97&radius=500',
        },
      ],
    },
    {
      name: 'geo-decimal',
      pattern: '(-?\\b\\d{1,3}\\.\\d{2})\\d{3,}\\b',
      replace: '${1}',
      min_digits: 6,
      hints: ['.'],
      examples: [
        {
          in: '-33.856784',
          out: '-33.85',
        },
        {
          in: 'moved to +37.7749295 north',
          out: 'moved to +37.77 north',
        },
      ],
    },
    {
      name: 'iban',
      pattern: '\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\\b',
      replace: '[REDACTED_IBAN]',
      min_digits: 8,
      validate: 'iban',
      examples: [
        {
          in: 'refund to GB82 WEST 1234 5698 7654 32 queued',
          out: 'refund to [REDACTED_IBAN] queued',
        },
        {
          in: 'refund to DE89370400440532013000',
          out: 'refund to [REDACTED_IBAN]',
        },
      ],
    },
    {
      name: 'card-number',
      pattern: '\\b(?:4\\d|5[1-5]|2[2-7]|3[47]|6[05])(?:[ -]?\\d){11,17}\\b',
      replace: '[REDACTED_CARD]',
      min_digits: 13,
      validate: 'luhn',
      examples: [
        {
          in: 'charge failed for card 4111 1111 1111 1111 exp 12/29',
          out: 'charge failed for card [REDACTED_CARD] exp 12/29',
        },
      ],
    },
    {
      name: 'us-ssn',
      pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b',
      replace: '[REDACTED_SSN]',
      min_digits: 9,
      examples: [
        {
          in: 'applicant SSN on file 123-45-6789, verified',
          out: 'applicant SSN on file [REDACTED_SSN], verified',
        },
      ],
    },
    {
      name: 'us-ssn-labelled',
      pattern: '\\b(ssn|social security number)(\\D{0,16})\\d{3}[- ]?\\d{2}[- ]?\\d{4}\\b',
      flags: 'i',
      replace: '${1}${2}[REDACTED_SSN]',
      min_digits: 9,
      hints: ['ssn', 'social security'],
      examples: [
        {
          in: 'SSN 123456789 mismatch',
          out: 'SSN [REDACTED_SSN] mismatch',
        },
      ],
    },
    {
      name: 'ipv4',
      pattern: '\\b(\\d{1,3})\\.(\\d{1,3})\\.\\d{1,3}\\.\\d{1,3}(?:/\\d{1,2})?\\b',
      replace: '${1}.${2}.0.0/16',
      min_digits: 4,
      hints: ['.'],
      examples: [
        {
          in: 'login from 203.0.113.195 rejected',
          out: 'login from 203.0.0.0/16 rejected',
        },
      ],
    },
    {
      name: 'ipv6',
      pattern: '\\b([0-9a-fA-F]{1,4}):([0-9a-fA-F]{0,4})(?::[0-9a-fA-F]{0,4}){2,6}(?:/\\d{1,3})?',
      replace: '${1}:${2}::/32',
      hints: ['::', ':0', ':1', ':2', ':3', ':4', ':5', ':6', ':7', ':8', ':9', ':a', ':b', ':c', ':d', ':e', ':f'],
      flags: 'i',
      examples: [
        {
          in: 'client address 2001:db8:85a3:8d3:1319:8a2e:370:7348 throttled',
          out: 'client address 2001:db8::/32 throttled',
        },
      ],
    },
    {
      name: 'phone',
      pattern:
        '(?:\\+\\d{1,3}[ .-]?\\(?\\d{1,5}\\)?(?:[ .-]?\\d{2,8}){1,4}|\\(\\d{3}\\)\\s?\\d{3}[ .-]\\d{4}|\\b\\d{3}[ .-]\\d{3}[ .-]\\d{4})\\b',
      replace: '[REDACTED_PHONE]',
      min_digits: 7,
      examples: [
        {
          in: 'SMS verification code sent to +44 20 7946 0958',
          out: 'SMS verification code sent to [REDACTED_PHONE]',
        },
        {
          in: 'call (415) 555-0132 back',
          out: 'call [REDACTED_PHONE] back',
        },
      ],
    },
    {
      name: 'sql-string-literal',
      pattern: "'(?:[^']|'')*'",
      replace: '?',
      keys: ['db.statement', 'db.query.text'],
      hints: ["'"],
      examples: [
        {
          in: "SELECT id FROM users WHERE last_name = 'O''Malley'",
          out: 'SELECT id FROM users WHERE last_name = ?',
        },
      ],
    },
    {
      name: 'sql-number-literal',
      pattern: '(^|[^$\\w.])\\d+(?:\\.\\d+)?\\b',
      replace: '${1}?',
      keys: ['db.statement', 'db.query.text'],
      min_digits: 1,
      examples: [
        {
          in: 'UPDATE people SET verified = true WHERE national_id = 123456789 AND id = $1',
          out: 'UPDATE people SET verified = true WHERE national_id = ? AND id = $1',
        },
      ],
    },
  ],
  must_survive: [
    'ORD-2024-000123',
    'ORD-2025-998877',
    'INV-000045-2024',
    '4111111111111112',
    '1.2.3',
    '2.14.0-rc.1',
    'v20.19.4',
    'v1.2.3.4',
    '2024-05-01T12:34:56.789Z',
    '2026-11-22T20:31:07Z',
    '2026-11-22 20:31:07.123+00:00',
    '3f2b8c1e-9a4d-4e2b-8f6a-1c2d3e4f5a6b',
    '41234567-1234-4123-8123-123456789012',
    'req_01HZX3K9Q7T2M5N8P4R6S0V1W2',
    '4bf92f3577b34da6a3ce929d0e0e4736',
    '00f067aa0ba902b7',
    '1716400000000',
    '1716400000000000000',
    '/api/orders/:orderId/items',
    'GET /api/users/:id/sessions',
    'token_type=access',
    'status_code=200',
    'duration_ms=412.5',
    'took 412.5 ms',
    'latency p99=1.234567s',
    'build 4f9c2e1',
    'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    'retry 3 of 5 after 250ms',
    'cache key user:42:profile',
    'redis://redis:6379/0',
    'https://api.example.com/api/invites?page=2&sort=desc',
    'node:internal/process/task_queues:95:5',
    '/app/src/invites.ts:88:17',
    'the basic plan',
    'ratio 0.25',
    'HTTP/1.1 200 OK',
  ],
};
