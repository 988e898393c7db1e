import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './tools.js';

export interface ListedSubgraph {
  name: string;
  port: number;
  urlEnv: string;
  database: string;
}

/** subgraphs.json, the one list of services, which the chart and infra are checked against. */
export const SERVICE_LIST = JSON.parse(readFileSync(join(ROOT, 'subgraphs.json'), 'utf8')) as {
  gateway: { port: number };
  subgraphs: ListedSubgraph[];
};
export const SUBGRAPHS = SERVICE_LIST.subgraphs;
/** Every deployed component: the gateway, then the subgraphs in list order. */
export const COMPONENTS = ['gateway', ...SUBGRAPHS.map((s) => s.name)];
