/** Which handler proves which program safe; a program not listed here is never allowed. */
import { awk } from './awk';
import { cd, date, jq } from './builtins';
import { find } from './find';
import { git } from './git';
import { shell, versionOnly, wrapper, xargs } from './nested';
import { riskOf } from './risks';
import { sed } from './sed';
import { SIMPLE_COMMANDS, simpleCommand } from './simple';
import { refuse, type Handler } from './types';

const VERSIONED =
  'node npm npx pnpm yarn bun deno python python3 pip pip3 ruby gem go cargo rustc java javac tsc perl php make gcc clang docker';

const HANDLERS = new Map<string, Handler>([
  ...Object.keys(SIMPLE_COMMANDS).map((name) => [name, simpleCommand] as const),
  ...VERSIONED.split(' ').map((name) => [name, versionOnly] as const),
  ...['awk', 'gawk', 'mawk', 'nawk'].map((name) => [name, awk] as const),
  ...['sh', 'bash', 'dash'].map((name) => [name, shell] as const),
  ['time', wrapper],
  ['command', wrapper],
  ['xargs', xargs],
  ['git', git],
  ['find', find],
  ['sed', sed],
  ['cd', cd],
  ['date', date],
  ['jq', jq],
]);

export const handlerFor = (name: string): Handler =>
  HANDLERS.get(name) ?? ((call) => refuse(riskOf(call.name)));

export type { Call, Proven, Refused, Scope, Verdict } from './types';
