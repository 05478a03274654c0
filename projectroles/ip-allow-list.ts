/**
 * The project IP allow list (ip_restrict, ip_allow_list; reference apps §5.9): entries are
 * addresses or CIDR networks, comma-separated; networks are strict (no host bits), as
 * Python's ip_network is in SODAR. Parsing with ipaddr.js, the library Express's own
 * proxy-addr uses.
 */
import type { Request } from 'express';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Both families compared alike: an IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 one. */
function parseAddress(text: string): Address {
  return ipaddr.process(text);
}

/** The entries of a list, trimmed, empty ones dropped. */
export function allowListEntries(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** The first entry that is not an address or a strict network, with why; null when all are fine. */
export function allowListProblem(list: string): string | null {
  for (const entry of allowListEntries(list)) {
    if (!entry.includes('/')) {
      if (!ipaddr.isValid(entry)) return `'${entry}' does not appear to be an IPv4 or IPv6 address`;
      continue;
    }
    let network: [Address, number];
    try {
      network = ipaddr.parseCIDR(entry);
    } catch {
      return `'${entry}' does not appear to be an IPv4 or IPv6 network`;
    }
    const base = network[0].kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(entry) : ipaddr.IPv6.networkAddressFromCIDR(entry);
    if (base.toString() !== network[0].toString()) return `${entry} has host bits set`;
  }
  return null;
}

/** Whether `client` matches an entry of the list (an empty list or a bad entry matches nobody). */
export function isAllowed(list: string, client: string | null): boolean {
  if (!client || !ipaddr.isValid(client)) return false;
  const address = parseAddress(client);
  return allowListEntries(list).some((entry) => {
    try {
      if (!entry.includes('/')) return parseAddress(entry).toString() === address.toString();
      const [base, prefix] = ipaddr.parseCIDR(entry);
      return address.kind() === base.kind() && address.match(base, prefix);
    } catch {
      return false;
    }
  });
}

/** `for=` of the first element of an RFC 7239 Forwarded header, without port or brackets. */
function forwardedFor(header: string | undefined): string | null {
  const first = header?.split(',')[0] ?? '';
  const match = /(?:^|;)\s*for\s*=\s*("?)\[?([^\]";,]+)\]?(?::\d+)?\1/i.exec(first);
  return match?.[2]?.trim() ?? null;
}

/**
 * The client's address. Proxy headers (X-Forwarded-For, then Forwarded) are believed only
 * when the site sits behind a proxy (TRUST_PROXY); otherwise anyone could claim an allowed
 * address by sending one (SODAR believes them always).
 */
export function clientAddress(req: Request, trustProxy: boolean): string | null {
  if (trustProxy) {
    const xff = req.get('x-forwarded-for')?.split(',')[0]?.trim();
    if (xff) return xff;
    const forwarded = forwardedFor(req.get('forwarded'));
    if (forwarded) return forwarded;
  }
  return req.socket.remoteAddress ?? null;
}
