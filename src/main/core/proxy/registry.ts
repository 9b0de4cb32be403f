/**
 * Recognises package registry fetches (npm and PyPI) from a request path, so the audit trail can
 * say which packages a session pulled. Purely descriptive: nothing is allowed or refused on it.
 * Paths come from the agent, so every form is checked strictly and anything odd is not a fetch.
 */

export type Ecosystem = 'npm' | 'pypi';

export interface PackageFetch {
  ecosystem: Ecosystem;
  name: string;
  version: string | null;
  kind: 'metadata' | 'archive';
}

const MAX_PATH_LENGTH = 2048;
const MAX_NPM_NAME = 214;
const MAX_PYPI_NAME = 200;
const MAX_VERSION = 128;

// validate-npm-package-name, plus upper case, which old packages (JSONStream) still carry.
// A leading '-' is refused too: the registry's own endpoints live under /-/.
const NPM_NAME = /^[A-Za-z0-9~][A-Za-z0-9._~-]*$/;
const NPM_SCOPE = /^@[A-Za-z0-9~][A-Za-z0-9._~-]*$/;
const SEMVER = /^[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.+-]*)?$/;
// PEP 508 names, and PEP 440 versions in the characters they may use (epoch, local part).
const PYPI_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const PYPI_VERSION = /^[0-9][0-9A-Za-z.!+_]*$/;
const SDIST_SUFFIXES = ['.tar.gz', '.zip', '.tar.bz2'];

// Hosts whose ecosystem is known: there, a path is only read in that ecosystem's shapes.
const NPM_HOSTS = new Set(['registry.npmjs.org', 'registry.yarnpkg.com']);
const PYPI_HOSTS = new Set(['pypi.org', 'files.pythonhosted.org', 'test.pypi.org']);

/**
 * What registry fetch a GET or HEAD of `path` is, or null. Recognised by the shape of the path
 * on any host (mirrors and test registries live anywhere); the caller checks the method.
 */
export function packageFetch(host: string, path: string): PackageFetch | null {
  const segments = pathSegments(path);
  if (segments === null) return null;
  const lowerHost = host.toLowerCase();
  if (!PYPI_HOSTS.has(lowerHost)) {
    const npm = npmFetch(segments);
    if (npm) return npm;
  }
  return NPM_HOSTS.has(lowerHost) ? null : pypiFetch(segments);
}

/** The decoded path segments without the query; null when the path is malformed. */
function pathSegments(path: string): string[] | null {
  if (path.length > MAX_PATH_LENGTH || !path.startsWith('/')) return null;
  const bare = path.split(/[?#]/, 1)[0] ?? '';
  const segments: string[] = [];
  for (const raw of bare.slice(1).split('/')) {
    const decoded = decodeSegment(raw);
    if (decoded === null) return null;
    segments.push(decoded);
  }
  return segments;
}

function decodeSegment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    // A malformed escape: whatever the server makes of it, it is not a registry path.
    return null;
  }
}

function npmFetch(segments: string[]): PackageFetch | null {
  const split = splitNpmName(segments);
  if (split === null) return null;
  const { name, rest } = split;
  if (rest.length === 0) return { ecosystem: 'npm', name, version: null, kind: 'metadata' };
  if (rest.length !== 2 || rest[0] !== '-') return null;
  // The tarball file is named after the package without its scope.
  const bare = name.slice(name.indexOf('/') + 1);
  const version = between(rest[1] ?? '', `${bare}-`, '.tgz');
  if (version === null || !SEMVER.test(version) || version.length > MAX_VERSION) return null;
  return { ecosystem: 'npm', name, version, kind: 'archive' };
}

/** `name`, `@scope/name` (two segments) or `@scope%2fname` (one), and what follows it. */
function splitNpmName(segments: string[]): { name: string; rest: string[] } | null {
  const first = segments[0] ?? '';
  let name: string;
  let rest: string[];
  if (first.startsWith('@') && first.includes('/')) {
    name = first;
    rest = segments.slice(1);
  } else if (first.startsWith('@')) {
    name = `${first}/${segments[1] ?? ''}`;
    rest = segments.slice(2);
  } else {
    name = first;
    rest = segments.slice(1);
  }
  return validNpmName(name) ? { name, rest } : null;
}

function validNpmName(name: string): boolean {
  if (name.length > MAX_NPM_NAME) return false;
  const parts = name.split('/');
  if (parts.length === 1) return NPM_NAME.test(name);
  return parts.length === 2 && NPM_SCOPE.test(parts[0] ?? '') && NPM_NAME.test(parts[1] ?? '');
}

function pypiFetch(segments: string[]): PackageFetch | null {
  const [root, name = '', third, fourth, ...extra] = segments;
  if (root === 'simple') {
    // /simple/name/ or /simple/name
    const trailing = third === undefined || (third === '' && fourth === undefined);
    return trailing ? pypiMetadata(name, null) : null;
  }
  if (root === 'pypi' && extra.length === 0) {
    if (third === 'json' && fourth === undefined) return pypiMetadata(name, null);
    if (fourth === 'json') return pypiMetadata(name, third ?? '');
    return null;
  }
  if (root === 'packages' && segments.length >= 2) return pypiArchive(segments.at(-1) ?? '');
  return null;
}

function pypiMetadata(name: string, version: string | null): PackageFetch | null {
  if (!validPypiName(name)) return null;
  if (version !== null && !validPypiVersion(version)) return null;
  return { ecosystem: 'pypi', name: normalisePypiName(name), version, kind: 'metadata' };
}

/** `name-1.0.tar.gz` (sdist) or `name-1.0(-build)-py3-none-any.whl` (wheel). */
function pypiArchive(file: string): PackageFetch | null {
  const stem = file.endsWith('.whl') ? file.slice(0, -'.whl'.length) : null;
  let name: string;
  let version: string;
  if (stem !== null) {
    const parts = stem.split('-');
    if (parts.length !== 5 && parts.length !== 6) return null;
    [name = '', version = ''] = parts;
  } else {
    const suffix = SDIST_SUFFIXES.find((candidate) => file.endsWith(candidate));
    if (suffix === undefined) return null;
    const sdist = file.slice(0, -suffix.length);
    // Old sdists keep hyphens in the name; versions never hold one, so the last one splits.
    const dash = sdist.lastIndexOf('-');
    if (dash <= 0) return null;
    name = sdist.slice(0, dash);
    version = sdist.slice(dash + 1);
  }
  if (!validPypiName(name) || !validPypiVersion(version)) return null;
  return { ecosystem: 'pypi', name: normalisePypiName(name), version, kind: 'archive' };
}

function validPypiName(name: string): boolean {
  return name.length <= MAX_PYPI_NAME && PYPI_NAME.test(name);
}

function validPypiVersion(version: string): boolean {
  return version.length <= MAX_VERSION && PYPI_VERSION.test(version);
}

/** PEP 503: lower case, and every run of '-', '_' and '.' is one '-'. */
export function normalisePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function between(text: string, prefix: string, suffix: string): string | null {
  if (text.length < prefix.length + suffix.length) return null;
  if (!text.startsWith(prefix) || !text.endsWith(suffix)) return null;
  return text.slice(prefix.length, text.length - suffix.length);
}
