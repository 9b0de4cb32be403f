import type { OperatorService } from '../../core/operator';
import type { Person } from '../../paddock';
import type { Handlers } from '../router';

type OperatorCalls =
  | 'operator.start'
  | 'operator.list'
  | 'operator.get'
  | 'operator.pause'
  | 'operator.resume'
  | 'operator.note'
  | 'operator.stop'
  | 'operator.takeover'
  | 'operator.handback';

/** Remote operator runs over the contract; the person who calls is the one recorded. */
export function operatorHandlers(
  operator: OperatorService,
  person: Person,
): Pick<Handlers, OperatorCalls> {
  return {
    'operator.start': (input) => operator.start(input, person),
    'operator.list': () => operator.list(),
    'operator.get': ({ id }) => operator.get(id),
    'operator.pause': ({ id }) => operator.pause(id, person),
    'operator.resume': ({ id }) => operator.resume(id, person),
    'operator.note': ({ id, text }) => operator.note(id, text, person),
    'operator.stop': ({ id }) => operator.stop(id, person),
    'operator.takeover': ({ id, cols, rows }) => operator.takeOver(id, { cols, rows }, person),
    'operator.handback': ({ id }) => operator.handBack(id, person),
  };
}
