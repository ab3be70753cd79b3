import { lookup } from 'node:dns/promises';
import type { HostResolver } from '../use-cases/execute-inputs';

/** Every address the system resolver gives a host name (IPv4 and IPv6), as the container will see it. */
export const resolveHostAddresses: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);
