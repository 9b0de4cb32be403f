import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp';
import { openPaddock } from '../paddock';
import { createIpcAdapter, serveCore, type IpcCallEvent } from './index';

const PAGE = 'file:///opt/Paddock/resources/app/out/renderer/index.html';

/** Electron's event objects, stood in by plain ones. */
function event(url: string | null, parent: unknown = null, id = 1): IpcCallEvent {
  return { sender: { id }, senderFrame: url === null ? null : { url, parent } };
}

function adapter() {
  const paddock = openPaddock({ home: tempDir() });
  const core = serveCore(paddock, 'in-process');
  return { paddock, adapter: createIpcAdapter({ ...core, isTrustedUrl: (url) => url === PAGE }) };
}

describe('IPC adapter', () => {
  it('answers calls from the main frame of Paddock’s own page', async () => {
    const { adapter: ipc, paddock } = adapter();
    expect(await ipc.call(event(PAGE), 'system.info', {})).toMatchObject({ ok: true });
    await paddock.close();
  });

  it('refuses calls from an iframe, another page, or a frame that is gone', async () => {
    const { adapter: ipc, paddock } = adapter();
    for (const sender of [
      event(PAGE, { url: PAGE }),
      event('https://evil.example/'),
      event(`${PAGE}/../../x.html`),
      event(null),
    ]) {
      expect(await ipc.call(sender, 'system.info', {})).toMatchObject({
        ok: false,
        error: { code: 'unauthorized' },
      });
    }
    await paddock.close();
  });

  it('validates input from a trusted frame like any other', async () => {
    const { adapter: ipc, paddock } = adapter();
    expect(await ipc.call(event(PAGE), 'audit.list', { limit: -5 })).toMatchObject({
      ok: false,
      error: { code: 'bad-input' },
    });
    await paddock.close();
  });

  it('delivers events to subscribed windows only, and forgets a window that went away', async () => {
    const { adapter: ipc, paddock } = adapter();
    const delivered: Array<[number, string]> = [];
    expect(
      ipc.subscribe(event(PAGE, null, 1), 'audit.appended', (topic) => delivered.push([1, topic])),
    ).toBe(true);
    expect(
      ipc.subscribe(event('https://evil.example/', null, 2), 'audit.appended', (topic) =>
        delivered.push([2, topic]),
      ),
    ).toBe(false);
    expect(
      ipc.subscribe(event(PAGE, null, 3), 'no.such.topic', (topic) => delivered.push([3, topic])),
    ).toBe(false);
    await ipc.call(event(PAGE), 'settings.set', { key: 'ui.theme', value: 'light' });
    expect(delivered).toEqual([[1, 'audit.appended']]);
    ipc.forget(1);
    await ipc.call(event(PAGE), 'settings.set', { key: 'ui.theme', value: 'dark' });
    expect(delivered).toHaveLength(1);
    await paddock.close();
  });
});
