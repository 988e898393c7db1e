import { readFileSync } from 'node:fs';

/** A subgraph the bundled supergraph names, with the URL composition gave it (its local port). */
export interface BundledSubgraph {
  name: string;
  url: string;
  /** The environment variable that overrides its URL: PRODUCTS_URL for `products`. */
  urlEnv: string;
}

/** `products` -> PRODUCTS_URL, `order-history` -> ORDER_HISTORY_URL (subgraphs.json's urlEnv; a test checks). */
export function urlEnvFor(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/**
 * The subgraphs of a composed supergraph, from its `join__Graph` enum. The gateway reads the copy it
 * ships with, composed from subgraphs.json, so its URL variables follow that list instead of a second
 * hand-written one. A missing file yields none: the URLs in the served supergraph still apply.
 */
export function bundledSubgraphs(supergraphPath: string): BundledSubgraph[] {
  let sdl: string;
  try {
    sdl = readFileSync(supergraphPath, 'utf8');
  } catch {
    return [];
  }
  return [...sdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)].map(([, name, url]) => ({
    name: name!,
    url: url!,
    urlEnv: urlEnvFor(name!),
  }));
}
