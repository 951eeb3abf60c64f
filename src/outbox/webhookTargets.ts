/**
 * @module Which hosts the server may send webhooks to. An administrator's URL must not turn the server into a way
 * into its own network (server-side request forgery): loopback, private and carrier-grade NAT ranges are refused
 * unless the operator allows them (EXIGENT_WEBHOOK_ALLOW_PRIVATE); link-local, unspecified, multicast and reserved
 * addresses and cloud metadata services are always refused. The URL is checked at registration and again before
 * each delivery; on Node the addresses its host resolves to are checked too, at connection time
 * (runtime/node/vettedWebhookPost.ts). Pure code on Web-standard URL parsing, so both runtimes share it.
 */

export interface WebhookTargetPolicy {
  /** Allow loopback, private-network and carrier-grade NAT addresses (EXIGENT_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

type AddressKind = 'public' | 'loopback' | 'private' | 'shared' | 'link-local' | 'unspecified' | 'multicast' | 'reserved' | 'metadata';

/** What each refused kind is called in a refusal. */
const DESCRIPTIONS: Record<Exclude<AddressKind, 'public'>, string> = {
  loopback: 'a loopback address',
  private: 'a private-network address',
  shared: 'a carrier-grade NAT (100.64.0.0/10) address',
  'link-local': 'a link-local address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast or broadcast address',
  reserved: 'a reserved or documentation address',
  metadata: 'a cloud metadata service',
};

/** The kinds the operator may allow; the others never receive webhooks. */
const ALLOWABLE: ReadonlySet<AddressKind> = new Set(['loopback', 'private', 'shared']);

/**
 * Cloud metadata endpoints that sit in ranges the operator may allow (Alibaba's in 100.64/10, AWS's IPv6 one in
 * fc00::/7). 169.254.169.254 and its neighbours are link-local, refused anyway.
 */
const METADATA_ADDRESSES = new Set(['100.100.100.200', 'fd00:ec2::254']);
/** Host names of metadata services (GCP, AWS): they resolve to link-local addresses inside those clouds. */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

/** [first address as a 32-bit number, prefix length, kind], most specific first. */
const IPV4_RANGES: ReadonlyArray<readonly [string, number, AddressKind]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['100.64.0.0', 10, 'shared'],
  ['169.254.0.0', 16, 'link-local'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Why webhooks may not go to this URL's host, or undefined if they may (as far as the URL tells: a host name is
 * only checked by name here). `url` comes from the WHATWG URL parser, which has already turned decimal, hex and
 * octal IPv4 spellings into dotted quads and IPv4-mapped IPv6 into hex groups, so each address has one spelling.
 * @example
 * webhookUrlRefusal(new URL('http://2130706433/'), { allowPrivate: false }); // "The webhook URL's host 127.0.0.1 is a loopback address: …"
 */
export function webhookUrlRefusal(url: URL, policy: WebhookTargetPolicy): string | undefined {
  // A trailing dot names the same host ("localhost." is localhost).
  const host = url.hostname.replace(/\.$/, '');
  const subject = `The webhook URL's host ${host} is`;
  if (host.startsWith('[')) return refusal(subject, ipv6Kind(host.slice(1, -1)), policy);
  if (DOTTED_QUAD.test(host)) return refusal(subject, ipv4Kind(host), policy);
  if (host === 'localhost' || host.endsWith('.localhost')) return refusal(subject, 'loopback', policy);
  if (METADATA_NAMES.has(host)) return refusal(subject, 'metadata', policy);
  return undefined;
}

/**
 * Why webhooks may not go to `address`, one of the addresses `host` resolved to, or undefined if they may. An
 * address that does not parse is refused: the check fails closed.
 */
export function resolvedAddressRefusal(host: string, address: string, policy: WebhookTargetPolicy): string | undefined {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) return `The webhook host ${host} resolved to ${address}, which is not an IP address this server can check`;
  const kind = canonical.includes(':') ? ipv6Kind(canonical) : ipv4Kind(canonical);
  return refusal(`The webhook host ${host} resolves to ${canonical},`, kind, policy);
}

/** `subject` leads the sentence ("The webhook URL's host 127.0.0.1 is"); the kind and the way out follow. */
function refusal(subject: string, kind: AddressKind, policy: WebhookTargetPolicy): string | undefined {
  if (kind === 'public' || (policy.allowPrivate && ALLOWABLE.has(kind))) return undefined;
  return ALLOWABLE.has(kind)
    ? `${subject} ${DESCRIPTIONS[kind]}: the server does not call into its own network unless EXIGENT_WEBHOOK_ALLOW_PRIVATE=true`
    : `${subject} ${DESCRIPTIONS[kind]}: webhooks are never sent there`;
}

/** The address as the URL parser spells it (IPv6 without brackets), or undefined if it is not an IP address. */
function canonicalAddress(address: string): string | undefined {
  // A zone index ("fe80::1%eth0") is local to this machine's interfaces; the address before it is what matters.
  const bare = address.split('%')[0]!;
  try {
    if (bare.includes(':')) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
    // Only a dotted quad already in canonical form: "1.2.3" or "010.0.0.1" would be read as other addresses.
    return new URL(`http://${bare}/`).hostname === bare && DOTTED_QUAD.test(bare) ? bare : undefined;
  } catch {
    return undefined;
  }
}

function ipv4Kind(dotted: string): AddressKind {
  if (METADATA_ADDRESSES.has(dotted)) return 'metadata';
  const value = ipv4Value(dotted);
  for (const [first, prefix, kind] of IPV4_RANGES) {
    if (value >>> (32 - prefix) === ipv4Value(first) >>> (32 - prefix)) return kind;
  }
  return 'public';
}

function ipv4Value(dotted: string): number {
  return dotted.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** Classifies an IPv6 address in the URL parser's spelling; IPv4 embedded in it is classified as IPv4. */
function ipv6Kind(text: string): AddressKind {
  if (METADATA_ADDRESSES.has(text)) return 'metadata';
  const g = ipv6Groups(text);
  if (!g) return 'reserved';
  const embedded = (high: number, low: number) => ipv4Kind(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible form (::a.b.c.d) reach the IPv4 address.
  if (zeroUpTo(5) && (g[5] === 0xffff || g[5] === 0)) return embedded(g[6]!, g[7]!);
  // NAT64 (64:ff9b::/96) translates to the embedded IPv4 address; its local-use prefix 64:ff9b:1::/48 is private.
  if (g[0] === 0x64 && g[1] === 0xff9b) return g.slice(2, 6).every((x) => x === 0) ? embedded(g[6]!, g[7]!) : g[2] === 1 ? 'private' : 'reserved';
  // 6to4 (2002::/16) tunnels to the IPv4 address in the next 32 bits.
  if (g[0] === 0x2002) return embedded(g[1]!, g[2]!);
  // Teredo (2001::/32) hides an IPv4 address; documentation (2001:db8::/32); discard-only (100::/64).
  if ((g[0] === 0x2001 && (g[1] === 0 || g[1] === 0xdb8)) || (g[0] === 0x100 && zeroUpTo(4))) return 'reserved';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xffc0) === 0xfec0 || (g[0]! & 0xfe00) === 0xfc00) return 'private';
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast';
  return 'public';
}

/** The eight 16-bit groups of an IPv6 address written with hex groups and at most one "::". */
function ipv6Groups(text: string): number[] | undefined {
  const [head, tail, ...rest] = text.split('::');
  if (rest.length > 0) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  if (tail !== undefined && front.length + back.length > 7) return undefined;
  const groups = tail === undefined ? front : [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  return groups.length === 8 && groups.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff) ? groups : undefined;
}
