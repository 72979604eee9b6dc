import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ipPrefix as labelIpPrefix, userIdPrefix as labelUserIdPrefix } from '../src/catalog/labels.ts';
import { ipPrefix, userIdPrefix } from '../src/prefix.ts';

describe('ipPrefix', () => {
  it('keeps the /16 of an IPv4 address', () => {
    assert.equal(ipPrefix('10.1.2.3'), '10.1.0.0/16');
    assert.equal(ipPrefix(' 198.51.100.7 '), '198.51.0.0/16');
    assert.equal(ipPrefix('127.0.0.1'), '127.0.0.0/16');
  });

  it('keeps the /32 of an IPv6 address, hextets normalised', () => {
    assert.equal(ipPrefix('2001:db8:85a3::8a2e:370:7334'), '2001:db8::/32');
    assert.equal(ipPrefix('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::/32');
    assert.equal(ipPrefix('2001::1'), '2001:0::/32');
    assert.equal(ipPrefix('::1'), '0:0::/32');
    assert.equal(ipPrefix('::'), '0:0::/32');
    assert.equal(ipPrefix('[fe80::1%eth0]'), 'fe80:0::/32');
  });

  it('treats IPv4-mapped IPv6 (what a dual-stack server reports) as IPv4', () => {
    assert.equal(ipPrefix('::ffff:192.168.7.9'), '192.168.0.0/16');
    assert.equal(ipPrefix('::FFFF:10.20.30.40'), '10.20.0.0/16');
    assert.equal(ipPrefix('::ffff:c0a8:0709'), '192.168.0.0/16');
    assert.equal(ipPrefix('::ffff:127.0.0.1'), '127.0.0.0/16');
  });

  it('turns anything else into other, never echoing the input', () => {
    for (const garbage of [
      undefined,
      null,
      42,
      '',
      'not an ip',
      'unknown',
      '999.1.1.1',
      '10.1.2',
      '10.1.2.3.4',
      'maria@example.com:secret',
      'gggg:1::',
      '1:2:3:4:5:6:7:8:9',
      '::ffff:999.1.1.1',
    ]) {
      assert.equal(ipPrefix(garbage), 'other', String(garbage));
    }
  });
});

describe('userIdPrefix', () => {
  it('keeps the first two hex characters, lower case', () => {
    assert.equal(userIdPrefix('AB12cd34-0000-0000-0000-000000000000'), 'ab');
    assert.equal(userIdPrefix(' 0f9e '), '0f');
    assert.equal(userIdPrefix(4211), '42');
  });

  it('turns anything else into other', () => {
    for (const garbage of [undefined, null, {}, '', 'a', 7, 'zed', 'maria@example.com', 'xa1']) {
      assert.equal(userIdPrefix(garbage), 'other', String(garbage));
    }
  });
});

it('the catalog labels and the request logs use the same helpers', () => {
  assert.equal(labelIpPrefix, ipPrefix);
  assert.equal(labelUserIdPrefix, userIdPrefix);
});
