import { describe, expect, it } from 'vitest';
import { mendSerialized } from './serialized';

describe('mendSerialized', () => {
  it('says bold again after a 22 that turned dim off', () => {
    expect(mendSerialized('\x1b[2mdim\x1b[32;1;22mbold')).toBe('\x1b[2mdim\x1b[22;32;1mbold');
  });

  it('keeps dim on when a 22 turned bold off', () => {
    expect(mendSerialized('\x1b[1;2mboth\x1b[22;3mdim')).toBe('\x1b[1;2mboth\x1b[22;3;2mdim');
  });

  it('leaves a 22 that ends both alone, and colours whose numbers look like flags', () => {
    expect(mendSerialized('\x1b[1mb\x1b[22mplain')).toBe('\x1b[1mb\x1b[22mplain');
    expect(mendSerialized('\x1b[38;5;22;48;2;1;2;22mx')).toBe('\x1b[38;5;22;48;2;1;2;22mx');
  });

  it('starts the alternate screen with the default pen', () => {
    expect(mendSerialized('\x1b[41m\x1b[?1049h\x1b[Hx')).toBe('\x1b[41m\x1b[0m\x1b[?1049h\x1b[Hx');
  });
});
