import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FIELDS } from '@little-ecom/logger';
import { describe, expect, it } from 'vitest';
import { ROOT, run } from './support/tools.js';

interface SavedObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  references: { name: string; type: string; id: string }[];
}

const NDJSON = join(ROOT, 'infra/kibana/little-ecom.ndjson');
const text = readFileSync(NDJSON, 'utf8');
const objects = text
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as SavedObject);
const logFields = new Set<string>(LOG_FIELDS);

/** Every field name a saved object relies on: aggregation fields, the time field, and KQL field names. */
function fieldsUsed(object: SavedObject): string[] {
  const fields: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'field' || key === 'timeFieldName' || key === 'terms_field') && typeof value === 'string') fields.push(value);
      else if (typeof value === 'string' && /JSON$/.test(key)) walk(JSON.parse(value));
      else if (key === 'visState' && typeof value === 'string') walk(JSON.parse(value));
      else if (key === 'query' && typeof value === 'string') {
        // KQL: `field : value`, `field : *`, `field : ("a" or "b")`; drop quoted strings first.
        const bare = value.replace(/"(?:[^"\\]|\\.)*"/g, '""');
        for (const match of bare.matchAll(/([A-Za-z_@][\w.@]*)\s*:/g)) fields.push(match[1]!);
      } else walk(value);
    }
  };
  walk(object.attributes);
  return fields;
}

describe('Kibana saved objects (infra/kibana/little-ecom.ndjson)', () => {
  it('parse, one object per line, and are what build-saved-objects.mjs generates', () => {
    expect(objects.length).toBeGreaterThanOrEqual(6);
    const generated = run('node', [join(ROOT, 'infra/kibana/build-saved-objects.mjs'), '--stdout']);
    expect(generated.status).toBe(0);
    expect(generated.stdout).toBe(text);
  });

  it("have a data view for the daily little-ecom indices, keyed on the services' `time`", () => {
    const dataView = objects.find((o) => o.type === 'index-pattern');
    expect(dataView?.attributes['title']).toBe('little-ecom-*');
    expect(dataView?.attributes['timeFieldName']).toBe('time');
  });

  it('use only fields the services log (LOG_FIELDS)', () => {
    const used = objects.flatMap((o) => fieldsUsed(o).map((f) => [o.id, f] as const));
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter(([, f]) => !logFields.has(f))).toEqual([]);
    const all = new Set(used.map(([, f]) => f));
    for (const needed of ['operation', 'errorCodes', 'latencyMs', 'service', 'deliveryStatus', 'msg'])
      expect(all).toContain(needed);
  });

  it('the field check catches a field the services do not log', () => {
    const bad: SavedObject = {
      type: 'visualization',
      id: 'x',
      references: [],
      attributes: {
        visState: JSON.stringify({ aggs: [{ params: { field: 'responseTime' } }] }),
        kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: 'user.email : "x"', language: 'kuery' } }) },
      },
    };
    expect(fieldsUsed(bad)).toEqual(['responseTime', 'user.email']);
  });

  it('have a dashboard with requests by operation, errors by code, latency percentiles, email delivery, outbox lag and consumer retries', () => {
    const dashboard = objects.find((o) => o.type === 'dashboard')!;
    const panels = JSON.parse(dashboard.attributes['panelsJSON'] as string) as { panelRefName: string }[];
    const byRef = new Map(dashboard.references.map((r) => [r.name, r.id]));
    const visIds = panels.map((p) => byRef.get(p.panelRefName));
    const visualizations = visIds.map((id) => objects.find((o) => o.id === id && o.type === 'visualization'));
    expect(visualizations.every(Boolean)).toBe(true);
    const states = visualizations.map(
      (v) =>
        JSON.parse(v!.attributes['visState'] as string) as {
          aggs: { type: string; params: { field?: string; percents?: number[] } }[];
        },
    );
    const has = (predicate: (aggs: { type: string; params: { field?: string; percents?: number[] } }[]) => boolean) =>
      states.some((s) => predicate(s.aggs));
    expect(has((a) => a.some((x) => x.type === 'terms' && x.params.field === 'operation'))).toBe(true);
    expect(has((a) => a.some((x) => x.type === 'terms' && x.params.field === 'errorCodes'))).toBe(true);
    expect(
      has(
        (a) =>
          a.some((x) => x.type === 'percentiles' && x.params.field === 'latencyMs') &&
          a.some((x) => x.params.field === 'service'),
      ),
    ).toBe(true);
    expect(has((a) => a.some((x) => x.type === 'terms' && x.params.field === 'deliveryStatus'))).toBe(true);
    expect(has((a) => a.some((x) => x.type === 'terms' && x.params.field === 'security'))).toBe(true);
    // The order saga (issue 13): its steps, and why reservations were refused.
    expect(has((a) => a.some((x) => x.type === 'terms' && x.params.field === 'reason'))).toBe(true);
    expect(has((a) => a.some((x) => x.type === 'terms' && x.params.field === 'clientIp'))).toBe(true);
    // Outbox lag, consumer retries and dead letters, p95 per operation (issue 11).
    expect(has((a) => a.some((x) => x.params.field === 'lagMs'))).toBe(true);
    expect(has((a) => a.some((x) => x.type === 'terms' && x.params.field === 'eventType'))).toBe(true);
    expect(
      has(
        (a) =>
          a.some((x) => x.type === 'percentiles' && x.params.percents?.includes(95)) &&
          a.some((x) => x.type === 'terms' && x.params.field === 'operation'),
      ),
    ).toBe(true);
    // Every reference resolves inside the file, so an import needs nothing else.
    for (const object of objects)
      for (const ref of object.references)
        expect(
          objects.some((o) => o.id === ref.id && o.type === ref.type),
          `${object.id} -> ${ref.id}`,
        ).toBe(true);
  });
});

describe('Elasticsearch index template', () => {
  it('maps exactly the fields the services log, in the indices Fluentd writes', () => {
    const template = JSON.parse(readFileSync(join(ROOT, 'infra/elasticsearch/little-ecom-index-template.json'), 'utf8')) as {
      index_patterns: string[];
      template: { mappings: { dynamic: string; properties: Record<string, { type: string }> } };
    };
    expect(template.index_patterns).toEqual(['little-ecom-*']);
    expect(new Set(Object.keys(template.template.mappings.properties))).toEqual(logFields);
    expect(template.template.mappings.properties['time']?.type).toBe('date');
    expect(template.template.mappings.properties['latencyMs']?.type).toMatch(/float|double|long/);
  });
});
