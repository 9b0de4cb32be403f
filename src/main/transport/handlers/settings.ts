import type { SettingsService } from '../../core/settings';
import type { Handlers } from '../router';
import type { Person } from '../../paddock';

export function settingsHandlers(
  settings: SettingsService,
  person: Person,
): Pick<Handlers, 'settings.all' | 'settings.set'> {
  return {
    'settings.all': () => settings.all(),
    'settings.set': ({ key, value }) => settings.set(key, value, person),
  };
}
