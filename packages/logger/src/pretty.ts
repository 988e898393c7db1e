import { inspect } from 'node:util';

const COLOURS: Record<string, string> = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
// Shown in the line's head, or not at all: the rest of the record follows as key=value.
const HEAD = new Set(['time', 'level', 'service', 'msg', 'span.id']);

function show(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (value && typeof value === 'object' && 'stack' in value && typeof value.stack === 'string') return `\n${value.stack}`;
  return inspect(value, { depth: 3, breakLength: Infinity, compact: true });
}

/**
 * One record as one line for a terminal (`LOG_FORMAT=pretty`, set by `npm run dev`):
 * `12:00:01.234 INFO  products  msg  key=value ...`, coloured by level; an error's stack follows.
 */
export function prettyLine(record: Record<string, unknown>): string {
  const level = String(record['level']);
  const time = String(record['time']).slice(11, 23);
  const colour = COLOURS[level] ?? '';
  const fields = Object.entries(record)
    .filter(([key, value]) => !HEAD.has(key) && value !== undefined)
    .map(([key, value]) => `${DIM}${key}=${RESET}${show(value)}`)
    .join(' ');
  const service = String(record['service']).padEnd(13);
  return `${DIM}${time}${RESET} ${colour}${level.toUpperCase().padEnd(5)}${RESET} ${service} ${String(record['msg'])}${fields ? `  ${fields}` : ''}`;
}
