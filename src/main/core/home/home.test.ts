import { describe, expect, it } from 'vitest';
import { paddockPaths, resolvePaddockHome } from './index';

describe('resolvePaddockHome', () => {
  it('prefers PADDOCK_HOME', () => {
    expect(resolvePaddockHome({ env: { PADDOCK_HOME: '/tmp/x/../p' }, platform: 'linux' })).toBe(
      '/tmp/p',
    );
  });
  it('uses the platform app-data directory otherwise', () => {
    expect(resolvePaddockHome({ env: {}, platform: 'linux', homeDir: '/home/a' })).toBe(
      '/home/a/.local/share/paddock',
    );
    expect(
      resolvePaddockHome({ env: { XDG_DATA_HOME: '/d' }, platform: 'linux', homeDir: '/h' }),
    ).toBe('/d/paddock');
    expect(resolvePaddockHome({ env: {}, platform: 'darwin', homeDir: '/Users/a' })).toBe(
      '/Users/a/Library/Application Support/Paddock',
    );
  });
  it('keeps every file inside the home', () => {
    const paths = paddockPaths('/p');
    for (const path of Object.values(paths)) expect(path.startsWith('/p')).toBe(true);
  });
});
