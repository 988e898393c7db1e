#!/usr/bin/env node
// Prints subgraphs.json for shell scripts, so none of them keeps its own list of services.
//   node scripts/service-list.mjs services    gateway products accounts ...   (one per line)
//   node scripts/service-list.mjs subgraphs   products 4001 products          (name port database)
//   node scripts/service-list.mjs images      products subgraphs/products 4001 (name workspace-dir port)
//     (images also lists `web web 8080`: the storefront's static server, the chart's web.port)
import { readFileSync } from 'node:fs';

const list = JSON.parse(readFileSync(new URL('../subgraphs.json', import.meta.url), 'utf8'));
const what = process.argv[2];
if (what === 'services') {
  for (const name of ['gateway', ...list.subgraphs.map((s) => s.name)]) console.log(name);
} else if (what === 'subgraphs') {
  for (const s of list.subgraphs) console.log(`${s.name} ${s.port} ${s.database}`);
} else if (what === 'images') {
  console.log(`gateway gateway ${list.gateway.port}`);
  for (const s of list.subgraphs) console.log(`${s.name} subgraphs/${s.name} ${s.port}`);
  console.log('web web 8080');
} else {
  console.error('usage: service-list.mjs services|subgraphs|images');
  process.exit(2);
}
