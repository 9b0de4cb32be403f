/**
 * The store loads the better-sqlite3 build its process names (the desktop app names Electron's);
 * here the Node build, named by path, opens a store, and a missing build fails the open.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { AuditStore } from './index';
import { SQLITE_BINDING_ENV } from './native-binding';

const NODE_BUILD = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'node_modules',
  'better-sqlite3',
  'build',
  'Release',
  'better_sqlite3.node',
);

afterEach(() => {
  Reflect.deleteProperty(process.env, SQLITE_BINDING_ENV);
});

describe('the native binding', () => {
  it('opens the store with the build it is given', () => {
    process.env[SQLITE_BINDING_ENV] = NODE_BUILD;
    const store = AuditStore.open({ home: tempDir() });
    store.append({ kind: 'test.event', actor: 'system', actorId: 'test', payload: {} });
    expect(store.verify().ok).toBe(true);
    store.close();
  });

  it('fails to open when the named build is not there', () => {
    process.env[SQLITE_BINDING_ENV] = join(tempDir(), 'better_sqlite3.node');
    expect(() => AuditStore.open({ home: tempDir() })).toThrow(
      /Cannot find module .*better_sqlite3\.node/,
    );
  });
});
