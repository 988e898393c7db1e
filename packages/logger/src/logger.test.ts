import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index.js';

describe('createLogger', () => {
  it('writes JSON lines with service, level and bound fields, and redacts secrets', () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'products', level: 'info', write: (l) => lines.push(l) });
    logger.debug('hidden');
    logger
      .child({ requestId: 'r1' })
      .info('hello', { operation: 'Q', password: 'hunter2', nested: { authorization: 'Bearer x' } });
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'info', service: 'products', requestId: 'r1', operation: 'Q', msg: 'hello' });
    expect(record['password']).toBe('[redacted]');
    expect(JSON.stringify(record)).not.toContain('Bearer x');
  });

  it('pretty format: one coloured line per entry with the fields as key=value, secrets still redacted', () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'products', format: 'pretty', write: (l) => lines.push(l) });
    logger.warn('stock low', { productId: 'p1', note: 'two words', password: 'hunter2' });
    expect(lines).toHaveLength(1);
    const plain = lines[0]!.replaceAll(String.fromCharCode(27), '').replace(/\[[0-9;]*m/g, '');
    expect(plain).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}products +stock low {2}productId=p1 note="two words" password=\[redacted\]$/,
    );
    expect(lines[0]).toContain('\x1b[33m'); // warn is yellow
  });

  it('never blocks or throws when Fluentd is unreachable', async () => {
    // A port that refuses connections: bind, note the port, close.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const lines: string[] = [];
    const logger = createLogger({
      service: 'gateway',
      fluentd: { host: '127.0.0.1', port, tagPrefix: 'test' },
      write: (l) => lines.push(l),
    });
    const started = performance.now();
    for (let i = 0; i < 100; i++) logger.info('still logging', { i });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(lines).toHaveLength(100);
    await logger.close();
  });

  it('ships records to a Fluentd forward input', async () => {
    const received: Buffer[] = [];
    const server = net.createServer((socket) => socket.on('data', (d: Buffer) => received.push(d)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const logger = createLogger({
      service: 'accounts',
      fluentd: { host: '127.0.0.1', port, tagPrefix: 'le' },
      write: () => undefined,
    });
    logger.info('shipped-record-marker');
    for (let i = 0; i < 50 && !Buffer.concat(received).includes('shipped-record-marker'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Buffer.concat(received).toString('latin1')).toContain('shipped-record-marker');
    expect(Buffer.concat(received).toString('latin1')).toContain('le.accounts');
    await logger.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
