import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readServiceList } from '@little-ecom/supergraph';
import { loadGatewayConfig } from './config.js';
import { bundledSubgraphs, urlEnvFor } from './subgraph-urls.js';

const shipped = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));

describe('the gateway follows subgraphs.json', () => {
  const list = readServiceList();

  it('reads one URL variable per listed subgraph, named as subgraphs.json says; the shipped supergraph gives the local ports', () => {
    expect(list.subgraphs.map((s) => s.urlEnv)).toEqual(list.subgraphs.map((s) => urlEnvFor(s.name)));
    const bundled = bundledSubgraphs(shipped);
    expect(bundled.map(({ name, url, urlEnv }) => ({ name, url, urlEnv })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      list.subgraphs
        .map(({ name, port, urlEnv }) => ({ name, url: `http://127.0.0.1:${port}/graphql`, urlEnv }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    const config = loadGatewayConfig({});
    expect(config.http.port).toBe(list.gateway.port);
    // Unset variables override nothing: the local URLs above come from the supergraph itself.
    expect(config.subgraphUrls).toEqual({});
    for (const s of list.subgraphs) {
      expect(loadGatewayConfig({ [s.urlEnv]: `http://${s.name}:${s.port}/graphql` }).subgraphUrls[s.name]).toBe(
        `http://${s.name}:${s.port}/graphql`,
      );
    }
  });

  it('has no subgraph URLs when the shipped supergraph is missing (the served one then decides)', () => {
    expect(bundledSubgraphs('/nonexistent/supergraph.graphql')).toEqual([]);
  });
});
