import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The client's address when `trustedHops` proxies we run stand in front of this service.
 *
 * The chain is every `X-Forwarded-For` entry followed by the socket peer. Each trusted proxy appends
 * the address it received the request from, so the rightmost entries are ours and everything left of
 * them may be forged by the client. The client is therefore the entry `trustedHops` places from the
 * right end of the chain ("rightmost untrusted"); with 0 hops (the default) the header is ignored.
 * A chain shorter than that, or an entry that is not an IP address, falls back to the leftmost
 * entry that can be trusted to exist: the socket peer when nothing else is usable.
 */
export function clientIp(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const chain = [...forwarded, peer];
  const index = chain.length - 1 - trustedHops;
  const candidate = chain[Math.max(index, 0)]!;
  return isIP(candidate) !== 0 ? candidate : peer;
}
