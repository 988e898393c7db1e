import { describe, expect, it } from 'vitest';
import { buildEvent, type EventEnvelope } from '../envelope.js';
import { PoisonMessageError } from '../wire.js';
import { checkEvent } from './parse.js';
import { EVENT_TYPES, eventContracts } from './registry.js';

const user = { userId: 'u1', email: 'eve@example.com', name: 'Eve', role: 'CUSTOMER', aggregateVersion: 1 };
const meta = { source: 'test', correlationId: 'c1' };

describe('event contracts', () => {
  it('names one schema per routing key, the saga types included', () => {
    expect(EVENT_TYPES).toEqual(Object.keys(eventContracts));
    for (const type of ['product.created', 'user.password_reset_requested', 'order.placed', 'order.shipped', 'stock.rejected']) {
      expect(EVENT_TYPES).toContain(type);
    }
  });

  it('refuses to build an event whose data does not fit its type', () => {
    const bad = { ...user, email: 42 } as unknown as typeof user;
    expect(() => buildEvent('user.registered', bad, meta)).toThrow(/user.registered data does not fit its contract \(email\)/);
    expect(buildEvent('user.registered', user, meta).data).toEqual(user);
  });

  it('checks consumed data with the same schema: poison names the path, never the value', () => {
    const event = buildEvent('user.registered', user, meta) as EventEnvelope;
    expect(checkEvent(event).data).toEqual(user);
    const secret = 's3cr3t-value';
    const broken = { ...event, data: { ...user, name: '', email: { secret } } };
    expect(() => checkEvent(broken)).toThrow(PoisonMessageError);
    try {
      checkEvent(broken);
    } catch (error) {
      expect(String(error)).toContain('data.email');
      expect(String(error)).toContain('data.name');
      expect(String(error)).not.toContain(secret);
    }
  });

  it('drops fields it does not know, so a newer producer does not break an older consumer', () => {
    const event = buildEvent('user.updated', user, meta) as EventEnvelope;
    const checked = checkEvent({ ...event, data: { ...user, nickname: 'evie' } });
    expect(checked.data).toEqual(user);
  });
});
