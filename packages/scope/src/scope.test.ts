import { describe, expect, it } from 'vitest';
import { createLogger } from '@little-ecom/logger';
import { createScope, currentScope, enterScope, runInRequest, runInScope } from './index.js';

function recordingLogger() {
  const records: Record<string, unknown>[] = [];
  const logger = createLogger({ service: 'test', write: (line) => records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}

describe('scope', () => {
  it('tags every log line written inside it, by any logger, across awaits', async () => {
    const { logger, records } = recordingLogger();
    const scope = createScope({ logger, requestId: 'req-1', correlationId: 'corr-1' });
    await runInScope(scope, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.info('inside');
      expect(currentScope()).toBe(scope);
    });
    logger.info('outside');
    expect(records[0]).toMatchObject({ msg: 'inside', requestId: 'req-1', correlationId: 'corr-1' });
    expect(records[1]).not.toHaveProperty('requestId');
    expect(currentScope()).toBeUndefined();
  });

  it('completes a request scope once the caller is known, for the work that follows', async () => {
    const { logger, records } = recordingLogger();
    await runInRequest('req-2', async () => {
      logger.info('before auth');
      const auth = { viewer: { userId: 'u-1', role: 'CUSTOMER' as const, tokenId: 't', sessionId: 's' }, authError: null };
      await (async () => enterScope(createScope({ logger, requestId: 'req-2', auth })))();
      await Promise.resolve();
      logger.info('after auth');
      expect(currentScope()?.auth.viewer?.userId).toBe('u-1');
    });
    expect(records[0]).toMatchObject({ requestId: 'req-2' });
    expect(records[0]).not.toHaveProperty('userId');
    expect(records[1]).toMatchObject({ requestId: 'req-2', userId: 'u-1' });
  });

  it('keeps concurrent scopes apart', async () => {
    const { logger, records } = recordingLogger();
    await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        runInScope(createScope({ logger, requestId: id }), async () => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
          logger.info(`line ${id}`);
        }),
      ),
    );
    for (const record of records) expect(record['msg']).toBe(`line ${String(record['requestId'])}`);
  });
});
