/**
 * The macOS sandbox cannot run here, so its output is checked as text: golden files for two
 * representative specs (read them when they change: they are the policy), and the properties the
 * text must keep whatever the paths: no path in it, every parameter defined, no rule without a
 * filter, balanced parentheses.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkedPath, lineage, seatbeltBackend, seatbeltProfile, SANDBOX_EXEC } from './seatbelt';
import type { SandboxSpec } from './spec';

const GOLDEN = join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Compares with golden/NAME, or rewrites it when UPDATE_GOLDEN=1. */
function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual, `golden/${name} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(file, 'utf8'));
}

/** JSON goldens are compared as values: the formatter may lay the file out its own way. */
function expectGoldenJson(name: string, actual: unknown): void {
  const file = join(GOLDEN, name);
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  }
  expect(actual, `golden/${name} (UPDATE_GOLDEN=1 rewrites it)`).toEqual(
    JSON.parse(readFileSync(file, 'utf8')),
  );
}

const LIMITS = {
  processes: 512,
  memoryMiB: 4096,
  cpuSeconds: 3600,
  fileMiB: 1024,
  diskMiB: 8192,
  tmpMiB: 512,
};

/** A session as the service makes it on macOS: Paddock's home in the person's Library. */
function sessionSpec(home = '/Users/ada'): SandboxSpec {
  const paddock = `${home}/Library/Application Support/Paddock`;
  const ws = `${paddock}/workspaces/prj_1/ses_0123abcd`;
  const session = `${paddock}/sessions/ses_0123abcd`;
  return {
    workspace: ws,
    writable: [`${session}/home`, `${session}/tmp`],
    tmpDir: `${session}/tmp`,
    readOnly: [`${home}/src/app/.git/objects`, `${session}/b`, `${home}/.local/bin`],
    hidden: ['/home', '/root', home, paddock, `${paddock}/workspaces`, `${home}/src/app`],
    readOnlyInWorkspace: [`${ws}/.git/config`, `${ws}/.git/hooks`],
    pinned: [`${ws}/.git`, `${ws}/.claude`, `${ws}/.vscode`],
    masked: [`${ws}/.env`, `${ws}/packages/api/.env.local`],
    blocked: [`${ws}/.claude/settings.json`, `${ws}/.mcp.json`, `${ws}/.envrc`],
    emptyFile: `${session}/sandbox/empty-file`,
    emptyJson: `${session}/sandbox/empty.json`,
    seccompFilter: `${session}/sandbox/seccomp.bpf`,
    emptyDir: `${session}/sandbox/empty-dir`,
    env: { PATH: '/usr/bin:/bin', HOME: `${session}/home` },
    bridges: [
      { port: 41234, socket: `${session}/b/41234` },
      { port: 11434, socket: `${session}/b/11434` },
    ],
    limits: LIMITS,
    ownTerminal: true,
    cgroupJoin: [],
  };
}

/** A gate's command on pipes, in a test's temp dir (/var/folders: a link into /private). */
function headlessSpec(): SandboxSpec {
  const root = '/var/folders/xy/abc123/T/paddock-test';
  return {
    workspace: `${root}/ws`,
    writable: [`${root}/tmp/`],
    tmpDir: `${root}/tmp`,
    readOnly: [],
    hidden: [root],
    readOnlyInWorkspace: [`${root}/ws/.git/config`],
    pinned: [`${root}/ws/.git`],
    masked: [],
    blocked: [],
    emptyFile: `${root}/empty-file`,
    emptyJson: `${root}/empty.json`,
    seccompFilter: `${root}/seccomp.bpf`,
    emptyDir: `${root}/empty-dir`,
    env: {},
    bridges: [],
    limits: LIMITS,
    ownTerminal: false,
    cgroupJoin: [],
  };
}

/** The argv with the profile named instead of repeated (it has a golden file of its own). */
function argvGolden(spec: SandboxSpec, profileFile: string) {
  const { file, args } = seatbeltBackend().wrap(spec);
  return { file, args: args.map((arg, index) => (index === 1 ? `<golden/${profileFile}>` : arg)) };
}

describe('seatbelt golden files', () => {
  it('a session on its own terminal, with two bridges', () => {
    const spec = sessionSpec();
    expectGolden('session.sb', `${seatbeltProfile(spec).profile}\n`);
    expectGoldenJson('session.argv.json', argvGolden(spec, 'session.sb'));
  });

  it('a command on pipes, without bridges, masks or read-only paths', () => {
    const spec = headlessSpec();
    expectGolden('headless.sb', `${seatbeltProfile(spec).profile}\n`);
    expectGoldenJson('headless.argv.json', argvGolden(spec, 'headless.sb'));
  });
});

describe('seatbeltProfile', () => {
  it('has the same text for specs that differ only in paths', () => {
    const a = seatbeltProfile(sessionSpec('/Users/ada'));
    const b = seatbeltProfile(sessionSpec('/Volumes/Work/people/grace-hopper'));
    expect(b.profile).toBe(a.profile);
    expect(b.params.WORKSPACE).not.toBe(a.params.WORKSPACE);
    expect(Object.keys(b.params)).toEqual(Object.keys(a.params));
  });

  it('keeps quotes, parentheses, spaces and semicolons out of the text and intact in -D', () => {
    const home = '/Users/o"dd (x) y;\\z';
    const spec = sessionSpec(home);
    const { profile, params } = seatbeltProfile(spec);
    expect(profile).toBe(seatbeltProfile(sessionSpec()).profile);
    expect(profile).not.toContain('o"dd');
    const args = seatbeltBackend().wrap(spec).args;
    expect(args).toContain(`WORKSPACE=${spec.workspace}`);
    expect(args).toContain(`HIDDEN_2=${home}`);
    expect(params.MASKED_0).toBe(`${spec.workspace}/.env`);
  });

  it('defines every parameter it uses and uses every parameter it defines', () => {
    for (const spec of [sessionSpec(), headlessSpec()]) {
      const { profile, params } = seatbeltProfile(spec);
      const used = new Set([...profile.matchAll(/\(param "([A-Z0-9_]+)"\)/g)].map((m) => m[1]));
      expect([...used].sort()).toEqual(Object.keys(params).sort());
    }
  });

  it('writes no rule without a filter but the deliberate ones', () => {
    const bare = new Set<string>();
    for (const spec of [sessionSpec(), headlessSpec()]) {
      for (const line of seatbeltProfile(spec).profile.split('\n'))
        if (/^\((allow|deny) [a-z*-]+( [a-z*-]+)*\)$/.test(line)) bare.add(line);
    }
    expect([...bare].sort()).toEqual(
      [
        '(deny default)',
        '(allow process-exec)',
        '(allow process-fork)',
        '(allow mach-host*)',
        '(allow user-preference-read)',
        '(allow ipc-posix-sem)',
        '(allow file-read*)',
        '(deny file-link)',
        '(allow pseudo-tty)',
        '(deny network*)',
      ].sort(),
    );
  });

  it('balances its parentheses (outside comments, strings and regexes)', () => {
    for (const spec of [sessionSpec(), headlessSpec()])
      expect(depths(seatbeltProfile(spec).profile)).toEqual({ lowest: 0, end: 0 });
  });

  it('protects each protected path and its ancestors up to the workspace from renames', () => {
    const spec = headlessSpec();
    const { params } = seatbeltProfile({
      ...spec,
      workspace: '/w/a',
      hidden: [],
      writable: [],
      readOnlyInWorkspace: [],
      pinned: [],
      masked: ['/w/a/.claude/settings.json'],
    });
    expect(unmovable(params)).toEqual(['/w/a/.claude/settings.json', '/w/a/.claude', '/w/a']);
    expect(lineage('/w/a/.claude/settings.json', '/w/a')).toEqual([
      '/w/a/.claude/settings.json',
      '/w/a/.claude',
      '/w/a',
    ]);
    expect(lineage('/w/a', '/w/a')).toEqual(['/w/a']);
  });

  it('lists each unmovable directory once', () => {
    const ws = sessionSpec().workspace;
    expect(unmovable(seatbeltProfile(sessionSpec()).params)).toEqual([
      `${ws}/.git/config`,
      `${ws}/.git`,
      ws,
      `${ws}/.git/hooks`,
      `${ws}/.env`,
      `${ws}/packages/api/.env.local`,
      `${ws}/packages/api`,
      `${ws}/packages`,
      `${ws}/.claude/settings.json`,
      `${ws}/.claude`,
      `${ws}/.mcp.json`,
      `${ws}/.envrc`,
      `${ws}/.vscode`,
    ]);
  });

  it('refuses a protected path outside the workspace', () => {
    expect(() => lineage('/w/ab/.env', '/w/a')).toThrow(
      /"\/w\/ab\/\.env" is protected but not inside/,
    );
    expect(() => seatbeltProfile({ ...headlessSpec(), pinned: ['/elsewhere/.git'] })).toThrow(
      /not inside the workspace/,
    );
  });

  it('refuses NUL, line breaks and relative paths, naming the path and its field', () => {
    const bad: Array<[Partial<SandboxSpec>, RegExp]> = [
      [{ workspace: '/w/a\0b' }, /"\/w\/a\\u0000b" \(workspace\) contains a NUL or a line break/],
      [{ writable: ['/ok', '/w/x\ny'] }, /"\/w\/x\\ny" \(writable\[1\]\) contains a NUL/],
      [{ hidden: ['/h\r'] }, /\(hidden\[0\]\) contains/],
      [{ masked: ['relative/.env'] }, /"relative\/\.env" \(masked\[0\]\) is not absolute/],
      [{ tmpDir: 'tmp' }, /\(tmpDir\) is not absolute/],
    ];
    for (const [change, message] of bad)
      expect(() => seatbeltProfile({ ...headlessSpec(), ...change })).toThrow(message);
  });

  it('refuses a bridge without a valid port', () => {
    for (const port of [0, 65536, 1.5, Number.NaN])
      expect(() =>
        seatbeltProfile({ ...headlessSpec(), bridges: [{ port, socket: '/s' }] }),
      ).toThrow(/bridge 0 has no valid port/);
  });

  it('gives the loopback ports as localhost:PORT parameters', () => {
    const { profile, params } = seatbeltProfile(sessionSpec());
    expect(params.BRIDGE_0).toBe('localhost:41234');
    expect(params.BRIDGE_1).toBe('localhost:11434');
    expect(profile).not.toMatch(/41234|11434/);
  });

  it('names paths as Seatbelt sees them', () => {
    expect(checkedPath('/tmp/x', 'p')).toBe('/private/tmp/x');
    expect(checkedPath('/var', 'p')).toBe('/private/var');
    expect(checkedPath('/etc/hosts', 'p')).toBe('/private/etc/hosts');
    expect(checkedPath('/variable/x', 'p')).toBe('/variable/x');
    expect(checkedPath('//a//b/./c/', 'p')).toBe('/a/b/c');
    expect(checkedPath('/', 'p')).toBe('/');
  });

  it('refuses the terminals when the process has none of its own', () => {
    const own = seatbeltProfile(sessionSpec()).profile;
    const pipes = seatbeltProfile({ ...sessionSpec(), ownTerminal: false }).profile;
    expect(own).toContain('(allow pseudo-tty)');
    expect(pipes).not.toContain('(allow pseudo-tty)');
    expect(pipes).toContain('(deny file-read* file-write* file-ioctl\n  (literal "/dev/ptmx")');
  });
});

describe('seatbeltBackend', () => {
  const host = (platform: NodeJS.Platform, present: boolean) => ({
    platform,
    runnable: async (path: string) => present && path === SANDBOX_EXEC,
  });

  it('says it is macOS only elsewhere', async () => {
    expect(await seatbeltBackend(host('linux', true)).problem()).toMatch(
      /sandbox-exec is macOS only/,
    );
    if (process.platform !== 'darwin')
      expect(await seatbeltBackend().problem()).toMatch(/macOS only/);
  });

  it('says when sandbox-exec is missing, and nothing when it is there', async () => {
    expect(await seatbeltBackend(host('darwin', false)).problem()).toMatch(
      /\/usr\/bin\/sandbox-exec is missing/,
    );
    expect(await seatbeltBackend(host('darwin', true)).problem()).toBeNull();
  });

  it('wraps as sandbox-exec -p PROFILE -D K=V ... -- (the agent comes after)', () => {
    const spec = sessionSpec();
    const backend = seatbeltBackend();
    const { file, args } = backend.wrap(spec);
    const { profile, params } = seatbeltProfile(spec);
    expect(backend.name).toBe('seatbelt');
    expect(file).toBe('/usr/bin/sandbox-exec');
    expect(args.slice(0, 2)).toEqual(['-p', profile]);
    expect(args.at(-1)).toBe('--');
    const definitions = args.slice(2, -1);
    expect(definitions.filter((_, i) => i % 2 === 0).every((flag) => flag === '-D')).toBe(true);
    expect(definitions.filter((_, i) => i % 2 === 1)).toEqual(
      Object.entries(params).map(([key, value]) => `${key}=${value}`),
    );
  });
});

function unmovable(params: Record<string, string>): string[] {
  return Object.entries(params)
    .filter(([key]) => key.startsWith('UNMOVABLE_'))
    .map(([, value]) => value);
}

/** The lowest and final nesting depth of an SBPL text, skipping comments, strings and #"regexes". */
function depths(text: string): { lowest: number; end: number } {
  let depth = 0;
  let lowest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === ';') i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (char === '(') depth += 1;
    else if (char === ')') lowest = Math.min(lowest, (depth -= 1));
  }
  return { lowest, end: inString ? Number.NaN : depth };
}
