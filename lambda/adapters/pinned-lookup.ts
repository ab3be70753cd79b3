import type { LookupFunction } from 'node:net';

/**
 * A DNS lookup for Node's http/https that answers `address` whatever name is asked: a connection
 * goes to the address that was checked, never to a second, different DNS answer (rebinding).
 */
export function pinnedLookup(address: string): LookupFunction {
  const family = address.includes(':') ? 6 : 4;
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as LookupFunction;
}
