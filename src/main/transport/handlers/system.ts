import { runDoctor } from '../../core/doctor';
import type { JsonObject } from '../../../shared/audit';
import type { SystemInfo } from '../../../shared/contract';
import type { Paddock } from '../../paddock';
import type { Handlers } from '../router';
import { version } from '../../../../package.json';

export function systemHandlers(
  paddock: Paddock,
  host: SystemInfo['host'],
): Pick<Handlers, 'system.info' | 'doctor.run'> {
  return {
    'system.info': () => ({
      version,
      home: paddock.home,
      host,
      pid: process.pid,
      person: paddock.person.actorId,
    }),
    'doctor.run': async () => {
      const report = await runDoctor();
      paddock.store.append({
        kind: 'doctor.ran',
        ...paddock.person,
        payload: report as unknown as JsonObject,
      });
      return report;
    },
  };
}
