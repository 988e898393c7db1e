import { describe, expect, it } from 'vitest';
import { Kind } from 'graphql';
import { MinorUnits } from './scalars.js';

describe('MinorUnits', () => {
  it('carries whole amounts beyond 32 bits exactly, as JSON numbers', () => {
    expect(MinorUnits.serialize(2_700_000_000)).toBe(2_700_000_000);
    expect(MinorUnits.serialize(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(MinorUnits.parseValue(-5_000_000_000)).toBe(-5_000_000_000);
    expect(MinorUnits.parseLiteral({ kind: Kind.INT, value: '9007199254740991' })).toBe(9_007_199_254_740_991);
  });

  it('refuses fractions, unsafe integers and other types (BAD_USER_INPUT on input, never a rounded number out)', () => {
    for (const bad of [1.5, 2 ** 53, '100', null]) {
      expect(() => MinorUnits.parseValue(bad)).toThrow(/MinorUnits must be a whole number/);
      expect(() => MinorUnits.serialize(bad)).toThrow(/MinorUnits cannot represent/);
    }
    expect(() => MinorUnits.parseLiteral({ kind: Kind.INT, value: '9007199254740993' })).toThrow(/whole number/);
    expect(() => MinorUnits.parseLiteral({ kind: Kind.FLOAT, value: '1.5' })).toThrow(/whole number/);
  });
});
