import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * The live processes of a process group (`npm start` run detached leads its own), `pid command…`
 * each. Zombies are left out: they have ended, and only wait for whoever adopted them to reap them.
 */
export function groupProcesses(pgid: number): string[] {
  return execFileSync('ps', ['-eo', 'pgid=,stat=,pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([group, state]) => group === String(pgid) && !state!.startsWith('Z'))
    .map(([, , ...command]) => command.join(' '));
}

export function groupPids(pgid: number): number[] {
  return groupProcesses(pgid).map((line) => Number(line.split(/\s+/)[0]));
}

/** `0100007F` (little-endian words, as /proc/net/tcp writes them) → bytes in network order. */
function addressBytes(hex: string): number[] {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8)
    for (let i = 6; i >= 0; i -= 2) bytes.push(Number.parseInt(hex.slice(word + i, word + i + 2), 16));
  return bytes;
}

function addressText(bytes: number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(address);
}

/** Every TCP socket a process of the group listens on (Linux: /proc), with its address and port. */
export function listeningSockets(pids: number[]): { pid: number; address: string; port: number }[] {
  const owner = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone meanwhile
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode) owner.set(inode, pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  const sockets: { pid: number; address: string; port: number }[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6'])
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A') continue; // not LISTEN
      const pid = owner.get(fields[9]!);
      if (pid === undefined) continue;
      const [hex, port] = fields[1]!.split(':');
      sockets.push({ pid, address: addressText(addressBytes(hex!)), port: Number.parseInt(port!, 16) });
    }
  return sockets;
}

/**
 * The addresses something on this machine listens on at `port` (Linux: /proc/net/tcp and tcp6):
 * `0.0.0.0` or `::` is every interface. Readable without privileges for any process's sockets.
 */
export function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6'])
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A') continue; // not LISTEN
      const [hex, hexPort] = fields[1]!.split(':');
      if (Number.parseInt(hexPort!, 16) === port) addresses.push(addressText(addressBytes(hex!)));
    }
  return addresses;
}

/**
 * Fails unless whatever listens on `port` listens on loopback alone: the socket table says so on
 * any machine, and a connection to each of the machine's other addresses (where it has any) is
 * refused.
 */
export async function expectLoopbackOnly(port: number, label: string): Promise<void> {
  const addresses = listeningAddresses(port);
  if (addresses.length === 0) throw new Error(`${label}: nothing listens on port ${port}`);
  for (const address of addresses)
    if (!isLoopback(address)) throw new Error(`${label}: listens on ${address}:${port}, not loopback only`);
  for (const address of externalAddresses())
    if ((await tryConnect(address, port)) !== 'refused')
      throw new Error(`${label}: ${address}:${port} accepted a connection`);
}

/** This machine's addresses other than loopback (link-local IPv6 left out: it needs a scope). */
export function externalAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => !entry.internal && !(entry.family === 'IPv6' && entry.address.startsWith('fe80')))
    .map((entry) => entry.address);
}

/** Whether a TCP connection to host:port is accepted ('refused' comes from the kernel at once). */
export function tryConnect(host: string, port: number): Promise<'accepted' | 'refused'> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', () => resolve('refused'));
  });
}
