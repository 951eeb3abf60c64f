// Which hosts may receive webhooks: every spelling of an internal address is refused, with a reason naming it;
// the operator's setting opens loopback and private ranges only, never link-local or metadata services.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loadConfig';
import { resolvedAddressRefusal, webhookUrlRefusal } from '../../src/outbox/webhookTargets';

const strict = { allowPrivate: false };
const open = { allowPrivate: true };
const refusalOf = (url: string, policy = strict) => webhookUrlRefusal(new URL(url), policy);

describe('webhook URLs', () => {
  it.each([
    ['http://127.0.0.1/hook', 'host 127.0.0.1 is a loopback address'],
    ['http://127.1.2.3:8080/hook', 'loopback'],
    ['http://2130706433/hook', 'host 127.0.0.1 is a loopback address'],
    ['http://0x7f.0.0.1/hook', 'host 127.0.0.1 is a loopback'],
    ['http://0177.0.0.01/hook', 'host 127.0.0.1 is a loopback'],
    ['http://017700000001/hook', 'host 127.0.0.1 is a loopback'],
    ['http://[::1]/hook', 'host [::1] is a loopback'],
    ['http://[::ffff:127.0.0.1]/hook', 'host [::ffff:7f00:1] is a loopback'],
    ['http://[::ffff:7f00:1]/hook', 'loopback'],
    ['http://[::127.0.0.1]/hook', 'loopback'],
    ['http://[64:ff9b::10.0.0.1]/hook', 'private-network'],
    ['http://[2002:c0a8:0101::1]/hook', 'private-network'],
    ['http://localhost:8787/hook', 'host localhost is a loopback'],
    ['http://LOCALHOST./hook', 'host localhost is a loopback'],
    ['https://ncb.localhost/hook', 'host ncb.localhost is a loopback'],
    ['http://10.1.2.3/hook', 'private-network'],
    ['http://172.16.0.1/hook', 'private-network'],
    ['http://172.31.255.255/hook', 'private-network'],
    ['http://192.168.1.10/hook', 'private-network'],
    ['http://3232235786/hook', 'host 192.168.1.10 is a private-network'],
    ['http://[fd12:3456::1]/hook', 'private-network'],
    ['http://[fc00::1]/hook', 'private-network'],
    ['http://100.64.0.1/hook', 'carrier-grade NAT'],
    ['http://100.127.255.254/hook', 'carrier-grade NAT'],
  ])('refuses %s unless private targets are allowed', (url, reason) => {
    expect(refusalOf(url)).toContain(reason);
    expect(refusalOf(url)).toContain('unless EXIGENT_WEBHOOK_ALLOW_PRIVATE=true');
    expect(refusalOf(url, open)).toBeUndefined();
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://169.254.170.2/v2/credentials', 'link-local'],
    ['http://[fe80::1]/hook', 'link-local'],
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['http://2852039166/', 'host 169.254.169.254 is a link-local'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'cloud metadata service'],
    ['http://metadata/computeMetadata/v1/', 'cloud metadata service'],
    ['http://instance-data/latest/', 'cloud metadata service'],
    ['http://100.100.100.200/latest/meta-data/', 'cloud metadata service'],
    ['http://[fd00:ec2::254]/latest/meta-data/', 'cloud metadata service'],
    ['http://0.0.0.0:8787/', 'unspecified'],
    ['http://0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://255.255.255.255/', 'reserved'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://192.0.2.10/', 'reserved or documentation'],
    ['http://[2001:db8::1]/', 'reserved or documentation'],
  ])('always refuses %s', (url, reason) => {
    expect(refusalOf(url)).toContain(reason);
    expect(refusalOf(url, open)).toContain(reason);
    expect(refusalOf(url, open)).toContain('webhooks are never sent there');
  });

  it.each(['https://cms.ncb.example/hooks', 'https://93.184.216.34/hooks', 'http://[2606:4700::6810:84e5]/hooks', 'https://172.32.0.1/', 'https://100.128.0.1/', 'https://localhost.example.org/'])(
    'accepts the public address or name %s',
    (url) => expect(refusalOf(url)).toBeUndefined(),
  );
});

describe('addresses a webhook host resolved to', () => {
  it('refuses internal ones, naming the host and the address', () => {
    expect(resolvedAddressRefusal('hooks.ncb.example', '127.0.0.1', strict)).toBe(
      'The webhook host hooks.ncb.example resolves to 127.0.0.1, a loopback address: the server does not call into its own network unless EXIGENT_WEBHOOK_ALLOW_PRIVATE=true',
    );
    expect(resolvedAddressRefusal('hooks.ncb.example', '::ffff:10.0.0.7', strict)).toContain('resolves to ::ffff:a00:7, a private-network address');
    expect(resolvedAddressRefusal('hooks.ncb.example', 'fe80::1%eth0', open)).toContain('a link-local address: webhooks are never sent there');
    expect(resolvedAddressRefusal('hooks.ncb.example', '169.254.169.254', open)).toContain('link-local');
    expect(resolvedAddressRefusal('hooks.ncb.example', '10.0.0.7', open)).toBeUndefined();
    expect(resolvedAddressRefusal('hooks.ncb.example', '93.184.216.34', strict)).toBeUndefined();
    expect(resolvedAddressRefusal('hooks.ncb.example', '2606:4700::6810:84e5', strict)).toBeUndefined();
  });

  it('fails closed on anything that is not an IP address', () => {
    for (const address of ['', 'not-an-address', '1.2.3', '::g', '1:2:3:4:5:6:7:8:9']) {
      expect(resolvedAddressRefusal('hooks.ncb.example', address, open)).toContain('not an IP address');
    }
  });
});

describe('EXIGENT_WEBHOOK_ALLOW_PRIVATE', () => {
  it('is off unless set to true, and names itself when set to anything else', () => {
    expect(loadConfig({}).webhookAllowPrivate).toBe(false);
    expect(loadConfig({ EXIGENT_WEBHOOK_ALLOW_PRIVATE: 'false' }).webhookAllowPrivate).toBe(false);
    expect(loadConfig({ EXIGENT_WEBHOOK_ALLOW_PRIVATE: 'true' }).webhookAllowPrivate).toBe(true);
    expect(() => loadConfig({ EXIGENT_WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow(/EXIGENT_WEBHOOK_ALLOW_PRIVATE must be true or false/);
  });
});
