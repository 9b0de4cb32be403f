import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bridgeDir, removeBridgeDir } from './bridge-dir';

let runtime: string;
const saved = process.env.XDG_RUNTIME_DIR;
beforeEach(() => {
  runtime = mkdtempSync(join(tmpdir(), 'rt-'));
  process.env.XDG_RUNTIME_DIR = runtime;
});
afterEach(() => {
  process.env.XDG_RUNTIME_DIR = saved;
  rmSync(runtime, { recursive: true, force: true });
});

describe("a session's bridge directory", () => {
  it('is short and private, in the runtime directory, and goes when asked', () => {
    const dir = bridgeDir('ses_0123abcd');
    expect(dir).toBe(join(runtime, 'paddock', 'ses_0123abcd'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(runtime, 'paddock')).mode & 0o777).toBe(0o700);
    expect(`${dir}/hooks.sock`.length).toBeLessThan(100);
    removeBridgeDir('ses_0123abcd');
    expect(() => statSync(dir)).toThrow();
  });

  it('refuses a base that is a link, or open to others: someone may have laid a trap', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'trap-'));
    try {
      symlinkSync(elsewhere, join(runtime, 'paddock'));
      expect(() => bridgeDir('ses_0123abcd')).toThrow(/not Paddock's own private directory/);
      rmSync(join(runtime, 'paddock'));
      mkdirSync(join(runtime, 'paddock'));
      chmodSync(join(runtime, 'paddock'), 0o777);
      expect(() => bridgeDir('ses_0123abcd')).toThrow(/not Paddock's own private directory/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('takes only a session id', () => {
    expect(() => bridgeDir('../../etc')).toThrow(/not a session id/);
  });
});
