import type { SettingsService } from '../../core/settings';
import { publicSettings } from '../../../shared/settings';
import type { Handlers } from '../router';
import type { Person } from '../../paddock';

export function settingsHandlers(
  settings: SettingsService,
  person: Person,
): Pick<Handlers, 'settings.all' | 'settings.set'> {
  return {
    'settings.all': () => publicSettings(settings.all()),
    'settings.set': ({ key, value }) => publicSettings(settings.set(key, value, person)),
  };
}
