import { isFetchableAddress, literalAddress } from '../inputs/address-policy';

/**
 * Whether a webhook's host may be called: every address it resolves to must be public (never
 * loopback, private, link-local with the metadata service, CGNAT, multicast or reserved), as for
 * URL inputs. Checked at create time and again before each delivery (DNS may change). Returns the
 * problem, or undefined. `allowLoopback` is the local stack's, for receivers on this machine.
 */
export async function webhookHostProblem(
  url: string,
  resolveHost: (host: string) => Promise<string[]>,
  options: { allowLoopback: boolean },
): Promise<string | undefined> {
  const checked = await checkWebhookHost(url, resolveHost, options);
  return 'problem' in checked ? checked.problem : undefined;
}

/**
 * The same check, answering the address to connect to: a delivery connects to exactly the address
 * checked here, never resolving the name again (DNS could answer a private address the second
 * time: rebinding).
 */
export async function checkWebhookHost(
  url: string,
  resolveHost: (host: string) => Promise<string[]>,
  options: { allowLoopback: boolean },
): Promise<{ problem: string } | { address: string }> {
  const host = new URL(url).hostname;
  const literal = literalAddress(host);
  let addresses: string[];
  try {
    addresses = literal ? [literal] : await resolveHost(host);
  } catch {
    return { problem: `webhook.url: the host ${host} does not resolve` };
  }
  const blocked = addresses.find((address) => !isFetchableAddress(address, options));
  if (addresses.length === 0 || blocked)
    return {
      problem: `webhook.url: ${host} resolves to ${blocked ?? 'no address'}, which is not a public address`,
    };
  return { address: addresses[0]! };
}
