/**
 * What every command gets: where Paddock's home is, how to print, and how to reach the core.
 * Writes go through one in-process Paddock that holds the store's writer lock for as short a time
 * as the command needs; reads open the store read-only, next to whichever process is writing.
 */
import { resolvePaddockHome } from '../main/core/home';
import { AuditStore } from '../main/core/store';
import { openPaddock, type Paddock } from '../main/paddock';

export interface CliContext {
  home: string;
  print(line: string): void;
  withPaddock<T>(work: (paddock: Paddock) => T | Promise<T>): Promise<T>;
  withReader<T>(work: (store: AuditStore) => T | Promise<T>): Promise<T>;
}

export function createContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const home = resolvePaddockHome({ env });
  return {
    home,
    print: (line) => process.stdout.write(`${line}\n`),
    async withPaddock(work) {
      const paddock = openPaddock({
        home,
        lockCommand: `paddock ${process.argv.slice(2).join(' ')}`,
      });
      try {
        return await work(paddock);
      } finally {
        paddock.close();
      }
    },
    async withReader(work) {
      const store = AuditStore.open({ home, readonly: true });
      try {
        return await work(store);
      } finally {
        store.close();
      }
    },
  };
}
