// Generates little-ecom.ndjson (Kibana saved objects: the data view and the dashboard).
// Edit here, run `node infra/kibana/build-saved-objects.mjs`, commit both; a test checks they agree
// and that every field used is one the services log (LOG_FIELDS in packages/logger).
import { writeFileSync } from 'node:fs';

const DATA_VIEW_ID = 'little-ecom-logs';
const MIGRATION = { coreMigrationVersion: '8.8.0' };

const dataView = {
  type: 'index-pattern',
  id: DATA_VIEW_ID,
  attributes: { title: 'little-ecom-*', name: 'little-ecom logs', timeFieldName: 'time' },
  references: [],
  typeMigrationVersion: '8.0.0',
  ...MIGRATION,
};

const axes = (yTitle) => ({
  addTooltip: true,
  addLegend: true,
  legendPosition: 'right',
  times: [],
  addTimeMarker: false,
  grid: { categoryLines: false },
  categoryAxes: [
    {
      id: 'CategoryAxis-1',
      type: 'category',
      position: 'bottom',
      show: true,
      scale: { type: 'linear' },
      labels: { show: true, filter: true, truncate: 100 },
      title: {},
    },
  ],
  valueAxes: [
    {
      id: 'ValueAxis-1',
      name: 'LeftAxis-1',
      type: 'value',
      position: 'left',
      show: true,
      scale: { type: 'linear', mode: 'normal' },
      labels: { show: true, rotate: 0, filter: false, truncate: 100 },
      title: { text: yTitle },
    },
  ],
});

const dateHistogram = {
  id: '2',
  enabled: true,
  type: 'date_histogram',
  schema: 'segment',
  params: {
    field: 'time',
    useNormalizedEsInterval: true,
    interval: 'auto',
    drop_partials: false,
    min_doc_count: 1,
    extended_bounds: {},
  },
};
const split = (id, field, size = 10) => ({
  id,
  enabled: true,
  type: 'terms',
  schema: 'group',
  params: { field, size, order: 'desc', orderBy: '1', otherBucket: true, otherBucketLabel: 'other', missingBucket: false },
});
/** The rows of a table panel: the top `size` values of `field`, by count. */
const rows = (field, size, otherBucket = false) => ({
  id: '2',
  enabled: true,
  type: 'terms',
  schema: 'bucket',
  params: { field, size, order: 'desc', orderBy: '1', otherBucket, missingBucket: false },
});
const count = { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} };

function visualization(id, title, kuery, visState, description) {
  return {
    type: 'visualization',
    id,
    attributes: {
      title,
      description,
      uiStateJSON: '{}',
      version: 1,
      visState: JSON.stringify({ title, ...visState }),
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({
          query: { query: kuery, language: 'kuery' },
          filter: [],
          indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index',
        }),
      },
    },
    references: [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: DATA_VIEW_ID }],
    typeMigrationVersion: '8.5.0',
    ...MIGRATION,
  };
}

const line = (metric, yTitle, mode = 'normal', chart = 'line') => ({
  type: chart,
  params: {
    type: chart,
    ...axes(yTitle),
    seriesParams: [
      {
        show: true,
        type: chart,
        mode,
        data: { label: yTitle, id: metric },
        valueAxis: 'ValueAxis-1',
        drawLinesBetweenPoints: true,
        lineWidth: 2,
        showCircles: true,
        interpolate: 'linear',
      },
    ],
  },
});

/** A data table with a total row; its `aggs` are the caller's. */
const table = {
  type: 'table',
  params: {
    perPage: 10,
    showPartialRows: false,
    showMetricsAtAllLevels: false,
    showTotal: true,
    totalFunc: 'sum',
    percentageCol: '',
  },
};

const GRAPHQL = 'msg : "graphql request"';
const visualizations = [
  visualization(
    'little-ecom-requests-by-operation',
    'GraphQL requests by operation',
    `${GRAPHQL} and service : "gateway"`,
    { ...line('1', 'requests'), aggs: [count, dateHistogram, split('3', 'operation', 15)] },
    'Requests the gateway served, per GraphQL operation name.',
  ),
  visualization(
    'little-ecom-errors-by-code',
    'GraphQL errors by code',
    `${GRAPHQL} and service : "gateway" and errorCodes : *`,
    { ...line('1', 'failed requests', 'stacked', 'histogram'), aggs: [count, dateHistogram, split('3', 'errorCodes', 10)] },
    'Requests that returned errors, per error extensions.code, over time (compare with the requests panel for the rate).',
  ),
  visualization(
    'little-ecom-latency-percentiles',
    'GraphQL latency percentiles by service (ms)',
    GRAPHQL,
    {
      ...line('1', 'latency (ms)'),
      aggs: [
        { id: '1', enabled: true, type: 'percentiles', schema: 'metric', params: { field: 'latencyMs', percents: [50, 95, 99] } },
        dateHistogram,
        {
          ...split('3', 'service', 5),
          params: { ...split('3', 'service', 5).params, orderBy: '_key', order: 'asc', otherBucket: false },
        },
      ],
    },
    'p50 / p95 / p99 of latencyMs of the gateway and each subgraph.',
  ),
  visualization(
    'little-ecom-email-delivery',
    'Email delivery (sent / failed / retried)',
    'msg : ("notification sent" or "notification failed" or "notification retry scheduled")',
    { ...line('1', 'notifications', 'stacked', 'histogram'), aggs: [count, dateHistogram, split('3', 'deliveryStatus', 3)] },
    'deliveryStatus SENT, FAILED and PENDING (a retry was scheduled), per interval.',
  ),
  visualization(
    'little-ecom-email-failures-by-kind',
    'Failed emails by kind',
    'msg : "notification failed" and deliveryStatus : "FAILED"',
    {
      ...table,
      aggs: [
        count,
        rows('notificationKind', 10),
        { id: '3', enabled: true, type: 'max', schema: 'metric', params: { field: 'attempts' } },
      ],
    },
    'Notifications that exhausted their retries, per kind, with the most attempts seen.',
  ),
  visualization(
    'little-ecom-security-events',
    'Security events (failed and throttled logins, revocations, authorization failures)',
    'security : *',
    { ...line('1', 'events', 'stacked', 'histogram'), aggs: [count, dateHistogram, split('3', 'security', 12)] },
    'One bar segment per security event type (docs/auth.md, "Security events").',
  ),
  visualization(
    'little-ecom-failed-logins-by-address',
    'Failed and throttled logins by client address and account',
    'security : ("login_failed" or "login_throttled")',
    {
      ...table,
      aggs: [
        count,
        rows('clientIp', 20, true),
        {
          id: '3',
          enabled: true,
          type: 'cardinality',
          schema: 'metric',
          params: { field: 'accountKey' },
        },
      ],
    },
    'Addresses with the most failed or throttled logins, and how many accounts (hashed keys) each tried.',
  ),
  visualization(
    'little-ecom-p95-by-operation',
    'GraphQL p95 latency by operation (ms)',
    `${GRAPHQL} and service : "gateway"`,
    {
      ...line('1', 'p95 latency (ms)'),
      aggs: [
        { id: '1', enabled: true, type: 'percentiles', schema: 'metric', params: { field: 'latencyMs', percents: [95] } },
        dateHistogram,
        split('3', 'operation', 10),
      ],
    },
    'p95 of latencyMs per GraphQL operation at the gateway; open a slow one in APM by its trace.id.',
  ),
  visualization(
    'little-ecom-outbox-lag',
    'Outbox lag (ms, write to publish)',
    'msg : "outbox events published"',
    {
      ...line('1', 'lag (ms)'),
      aggs: [
        { id: '1', enabled: true, type: 'max', schema: 'metric', params: { field: 'lagMs' } },
        dateHistogram,
        split('3', 'service', 5),
      ],
    },
    'The oldest event of each published batch: how long events waited in the outbox, per producing service.',
  ),
  visualization(
    'little-ecom-consumer-retries',
    'Consumer retries and dead letters',
    'msg : ("event retry scheduled" or "event dead-lettered")',
    {
      ...line('1', 'messages', 'stacked', 'histogram'),
      aggs: [count, dateHistogram, split('3', 'msg', 2), split('4', 'eventType', 10)],
    },
    'Events sent to a retry queue or dead-lettered (errorCode says why), per consuming service and event type.',
  ),
  visualization(
    'little-ecom-orders',
    'Orders: placed, confirmed, rejected, shipped, cancelled',
    'service : "orders" and msg : ("order placed" or "order confirmed" or "order rejected" or "order shipped" or "order cancelled")',
    { ...line('1', 'orders', 'stacked', 'histogram'), aggs: [count, dateHistogram, split('3', 'msg', 5)] },
    'Each step of the order saga (docs/orders.md): a growing gap between placed and confirmed or rejected means reservations lag.',
  ),
  visualization(
    'little-ecom-rejected-orders',
    'Rejected orders by reason',
    'service : "orders" and msg : "order rejected"',
    {
      ...table,
      aggs: [count, rows('reason', 10)],
    },
    'Why products refused to reserve stock (stock.rejected reasons, e.g. out of stock).',
  ),
  visualization(
    'little-ecom-database-by-operation',
    'Database work per GraphQL operation (subgraphs)',
    `${GRAPHQL} and not service : "gateway"`,
    {
      ...table,
      aggs: [
        count,
        rows('operation', 25, true),
        { ...rows('service', 5), id: '5' },
        { id: '3', enabled: true, type: 'avg', schema: 'metric', params: { field: 'dbCommands' } },
        { id: '4', enabled: true, type: 'percentiles', schema: 'metric', params: { field: 'dbTimeMs', percents: [95] } },
        { id: '6', enabled: true, type: 'sum', schema: 'metric', params: { field: 'dbFailures' } },
      ],
    },
    'Every request (not sampled): which operations hit MongoDB in which subgraph, how often (requests, average commands per request) and how slowly (p95 of their total command time, failed commands).',
  ),
];

const layout = [
  { x: 0, y: 0, w: 24, h: 15 },
  { x: 24, y: 0, w: 24, h: 15 },
  { x: 0, y: 15, w: 24, h: 15 },
  { x: 24, y: 15, w: 24, h: 15 },
  { x: 0, y: 30, w: 24, h: 12 },
  { x: 24, y: 30, w: 24, h: 12 },
  { x: 0, y: 42, w: 48, h: 12 },
  { x: 0, y: 54, w: 24, h: 15 },
  { x: 24, y: 54, w: 24, h: 15 },
  { x: 0, y: 69, w: 24, h: 15 },
  { x: 24, y: 69, w: 24, h: 15 },
  { x: 0, y: 84, w: 24, h: 12 },
  { x: 24, y: 84, w: 24, h: 12 },
];
const dashboard = {
  type: 'dashboard',
  id: 'little-ecom-overview',
  attributes: {
    title: 'little-ecom overview',
    description:
      'GraphQL traffic, errors and latency (p95 per operation) of the gateway and subgraphs, database work per operation, email delivery, outbox lag, consumer retries and dead letters, orders, and security events.',
    timeRestore: true,
    timeFrom: 'now-24h',
    timeTo: 'now',
    refreshInterval: { pause: false, value: 60000 },
    optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, hidePanelTitles: false }),
    panelsJSON: JSON.stringify(
      visualizations.map((_v, i) => ({
        version: '8.8.0',
        type: 'visualization',
        gridData: { ...layout[i], i: String(i + 1) },
        panelIndex: String(i + 1),
        embeddableConfig: { enhancements: {} },
        panelRefName: `panel_${i}`,
      })),
    ),
    kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
  },
  references: visualizations.map((v, i) => ({ name: `panel_${i}`, type: 'visualization', id: v.id })),
  typeMigrationVersion: '8.7.0',
  ...MIGRATION,
};

export const savedObjects = [dataView, ...visualizations, dashboard];
export const ndjson = savedObjects.map((o) => JSON.stringify(o)).join('\n') + '\n';

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--stdout')) process.stdout.write(ndjson);
  else writeFileSync(new URL('./little-ecom.ndjson', import.meta.url), ndjson);
}
