import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp';
import { openPaddock } from '../paddock';
import { serveCore } from './index';

function core() {
  const paddock = openPaddock({ home: tempDir() });
  return { paddock, ...serveCore(paddock, 'in-process') };
}

describe('router', () => {
  it('runs a valid call', async () => {
    const { router, paddock } = core();
    const result = await router.handle('system.info', {});
    expect(result).toMatchObject({ ok: true, value: { host: 'in-process', pid: process.pid } });
    await paddock.close();
  });

  it('refuses an unknown call with a typed error', async () => {
    const { router, paddock } = core();
    for (const name of [
      'audit.drop',
      '',
      42,
      null,
      { toString: 'x' },
      '__proto__',
      'constructor',
    ]) {
      const result = await router.handle(name, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    }
    await paddock.close();
  });

  it.each([
    ['audit.list', { limit: 'ten' }, 'limit'],
    ['audit.list', { limit: 100_000 }, 'limit'],
    ['audit.list', { afterSeq: -1 }, 'afterSeq'],
    ['audit.list', { order: 'sideways' }, 'order'],
    ['audit.list', { extra: true }, '(input)'],
    ['audit.get', {}, 'seq'],
    ['audit.get', { seq: 1.5 }, 'seq'],
    ['audit.search', { text: 'x'.repeat(501) }, 'text'],
    ['settings.set', { key: '', value: 1 }, 'key'],
    ['system.info', 'not an object', '(input)'],
    ['system.info', [1, 2], '(input)'],
  ])('refuses bad input to %s (%j)', async (name, input, path) => {
    const { router, paddock } = core();
    const result = await router.handle(name, input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('bad-input');
      expect(result.error.issues?.map((i) => i.path)).toContain(path);
      expect(result.error.message).toMatch(
        new RegExp(`^Bad input for ${name.replace('.', '\\.')}`),
      );
    }
    await paddock.close();
  });

  it('passes a service error on as failed, with its message', async () => {
    const { router, paddock } = core();
    const result = await router.handle('settings.set', { key: 'ui.colour', value: 'red' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'failed', message: expect.stringMatching(/Unknown setting "ui.colour"/) },
    });
    await paddock.close();
  });

  it('turns an unexpected error into an internal error without leaking it or crashing', async () => {
    const { router, paddock } = core();
    paddock.store.close(); // every store call now throws
    const result = await router.handle('audit.list', {});
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'internal',
        message: expect.stringMatching(/unexpected error in audit\.list/),
      },
    });
  });

  it('publishes committed audit events to subscribers', async () => {
    const { hub, paddock, router } = core();
    const heard: string[] = [];
    hub.subscribe('audit.appended', (events) => heard.push(...events.map((e) => e.kind)));
    await router.handle('settings.set', { key: 'ui.theme', value: 'dark' });
    expect(heard).toEqual(['settings.changed']);
    await paddock.close();
  });
});
