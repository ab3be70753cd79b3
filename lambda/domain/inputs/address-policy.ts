import ipaddr from 'ipaddr.js';

/**
 * Whether an input URL may be fetched from this address. Only public unicast addresses: never
 * loopback, private, link-local (the instance metadata service at 169.254.169.254 included),
 * carrier-grade NAT, multicast or reserved ranges, in IPv4 or IPv6 (IPv4-mapped IPv6 addresses
 * are judged as the IPv4 address they carry). `allowLoopback` is for the local stack's tests.
 */
export function isFetchableAddress(address: string, options: { allowLoopback?: boolean } = {}): boolean {
  if (!ipaddr.isValid(address)) return false;
  // ::/96 (IPv4-compatible, deprecated, never a public host): ipaddr.js calls `::a00:1` (10.0.0.1)
  // unicast, and reads `::8.8.8.8` as the mapped ::ffff:8.8.8.8. Judged before either.
  if (/^::(?!ffff:)[\d.]+$/i.test(address)) return false;
  const raw = ipaddr.parse(address);
  if (raw.kind() === 'ipv6' && (raw as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0))
    return false;
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range === 'unicast') return true;
  return options.allowLoopback === true && range === 'loopback';
}

/** The address of a URL's host when it is an IP literal (`[::1]` unbracketed), else undefined. */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : undefined;
}
