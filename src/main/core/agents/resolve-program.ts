/**
 * Finding the program a preset runs. The launcher starts an absolute path, so what runs does not
 * depend on the PATH the agent is given or on the directory it starts in.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { AgentNotInstalledError } from './errors';
import type { AgentPreset } from './presets';

export type SourceEnv = Readonly<Record<string, string | undefined>>;

export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The absolute path of `program`: itself when absolute, otherwise the first executable file of
 * that name in `searchPath` then `extraDirs`. Relative PATH entries are skipped: they would
 * resolve against whatever directory Paddock happens to run in.
 */
export function findProgram(
  program: string,
  searchPath: string | undefined,
  extraDirs: readonly string[] = [],
): string | null {
  if (program.includes('/'))
    return isAbsolute(program) && isExecutableFile(program) ? program : null;
  const dirs = [...(searchPath ?? '').split(delimiter), ...extraDirs].filter(
    (dir) => dir && isAbsolute(dir),
  );
  for (const dir of dirs) {
    const candidate = join(dir, program);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

let cachedBinDirs: string[] | undefined;

/**
 * Paddock's own `node_modules/.bin`: the nearest one above this file, which is the package root
 * both in the source tree (src/main/core/agents) and in the built bundle (out/main).
 */
export function paddockBinDirs(): string[] {
  cachedBinDirs ??= nearestBinDir(__dirname);
  return cachedBinDirs;
}

function nearestBinDir(start: string): string[] {
  for (let dir = start; ; dir = dirname(dir)) {
    const bin = join(dir, 'node_modules', '.bin');
    if (existsSync(bin)) return [bin];
    if (dirname(dir) === dir) return [];
  }
}

/** The program a preset names, before lookup: the shell preset follows the person's $SHELL. */
export function presetProgram(preset: AgentPreset, sourceEnv: SourceEnv): string {
  const fromEnv = preset.commandFromEnv ? sourceEnv[preset.commandFromEnv] : undefined;
  return fromEnv || preset.command;
}

/** Bundled presets are also looked up in Paddock's own bin directories. */
export function presetSearchDirs(preset: AgentPreset, bundledBinDirs: readonly string[]): string[] {
  return preset.bundled ? [...bundledBinDirs] : [];
}

/** The absolute path of a preset's program, or an error that says what to install. */
export function resolvePresetProgram(
  preset: AgentPreset,
  sourceEnv: SourceEnv,
  bundledBinDirs: readonly string[] = paddockBinDirs(),
): string {
  const program = presetProgram(preset, sourceEnv);
  const extraDirs = presetSearchDirs(preset, bundledBinDirs);
  const found = findProgram(program, sourceEnv.PATH, extraDirs);
  if (found) return found;
  throw new AgentNotInstalledError(
    preset.id,
    program,
    notInstalledMessage(preset, program, sourceEnv.PATH, extraDirs),
  );
}

function notInstalledMessage(
  preset: AgentPreset,
  program: string,
  searchPath: string | undefined,
  extraDirs: readonly string[],
): string {
  const where = program.includes('/')
    ? `"${program}" does not exist or is not an executable file`
    : `the program "${program}" was not found on PATH (${searchPath || 'empty'})` +
      (extraDirs.length ? ` or in Paddock's own ${extraDirs.join(', ')}` : '');
  return `${preset.name} cannot start: ${where}. ${preset.install}.`;
}
