import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { AuditStore } from '../store';
import { SettingsService } from './index';

describe('SettingsService', () => {
  it('returns defaults, stores a valid change and records it as an audit event', () => {
    const store = AuditStore.open({ home: tempDir() });
    const settings = new SettingsService(store);
    expect(settings.get('ui.theme')).toBe('system');
    settings.set('ui.theme', 'dark', { actor: 'person', actorId: 'ada' });
    expect(settings.get('ui.theme')).toBe('dark');
    const [event] = store.list({ order: 'desc', limit: 1 });
    expect(event).toMatchObject({
      kind: 'settings.changed',
      actor: 'person',
      actorId: 'ada',
      payload: { key: 'ui.theme', from: 'system', to: 'dark' },
    });
    store.close();
  });

  it('refuses unknown keys and invalid values, and records nothing for them', () => {
    const store = AuditStore.open({ home: tempDir() });
    const settings = new SettingsService(store);
    const by = { actor: 'person' as const, actorId: 'ada' };
    expect(() => settings.set('ui.colour', 'red', by)).toThrow(/Unknown setting "ui.colour"/);
    expect(() => settings.set('ui.theme', 'neon', by)).toThrow(/Invalid value for ui.theme/);
    expect(() => settings.set('ui.theme', { toString: 'dark' }, by)).toThrow(/Invalid value/);
    expect(store.list().filter((e) => e.kind === 'settings.changed')).toEqual([]);
    store.close();
  });

  it('refuses the retired model key setting, pointing to the vault, and records nothing', () => {
    const store = AuditStore.open({ home: tempDir() });
    const settings = new SettingsService(store);
    const by = { actor: 'person' as const, actorId: 'ada' };
    expect(() => settings.set('agents.model.apiKey', 'sk-ant-very-secret-value', by)).toThrow(
      /agents\.model\.apiKey is gone\. A model key is a secret: keep it in the vault \(`paddock secrets set ANTHROPIC_API_KEY`/,
    );
    expect(settings.all()).not.toHaveProperty('agents.model.apiKey');
    expect(store.database.prepare('SELECT count(*) FROM settings').pluck().get()).toBe(0);
    expect(JSON.stringify(store.list())).not.toContain('very-secret');
    store.close();
  });
});
