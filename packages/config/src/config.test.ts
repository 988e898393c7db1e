import { describe, expect, it } from 'vitest';
import { ConfigError, bool, list, loadConfig, port, z } from './index.js';

const schema = z.object({ PORT: port(4001), DEBUG: bool(false), ORIGINS: list(['a']), NAME: z.string() });

describe('loadConfig', () => {
  it('applies defaults and treats empty strings as unset', () => {
    const config = loadConfig('svc', schema, { NAME: 'x', PORT: '', DEBUG: 'yes' });
    expect(config).toEqual({ PORT: 4001, DEBUG: true, ORIGINS: ['a'], NAME: 'x' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every problem at once', () => {
    let caught: unknown;
    try {
      loadConfig('svc', schema, { PORT: 'abc', DEBUG: 'maybe' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT');
    expect(problems).toContain('DEBUG');
    expect(problems).toContain('NAME');
  });
});
