/** The client's address: the socket's, or the nearest untrusted one in X-Forwarded-For when the socket is a trusted proxy's (TRACECAST_TRUST_PROXY). */
import { BlockList, isIP } from 'node:net';

const plain = (address: string) => (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);
const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** `trusted`: addresses or CIDRs (`10.0.0.0/8`, `::1`). Returns a function of the socket's address and the header. */
export function clientAddress(trusted: string[]): (socket: string, forwardedFor: string) => string {
  if (trusted.length === 0) return (socket) => plain(socket);
  const list = new BlockList();
  for (const entry of trusted) {
    const [address, bits] = entry.split('/');
    if (!isIP(address)) throw new Error(`TRACECAST_TRUST_PROXY: ${entry} is not an address or CIDR`);
    if (bits === undefined) list.addAddress(address, family(address));
    else list.addSubnet(address, Number(bits), family(address));
  }
  const isTrusted = (a: string) => isIP(a) !== 0 && list.check(a, family(a));
  return (socket, forwardedFor) => {
    let client = plain(socket);
    if (!isTrusted(client)) return client;
    // Right to left: each trusted hop vouches for the one before it; the first untrusted one is the client.
    const hops = forwardedFor.split(',').map((h) => plain(h.trim())).filter(Boolean);
    while (hops.length > 0 && isTrusted(client)) {
      const next = hops.pop()!;
      if (isIP(next) === 0) break;
      client = next;
    }
    return client;
  };
}
