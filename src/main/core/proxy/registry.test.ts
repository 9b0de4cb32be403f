import { describe, expect, it } from 'vitest';
import { normalisePypiName, packageFetch, type PackageFetch } from './registry';

const npm = (name: string, version: string | null, kind: PackageFetch['kind']): PackageFetch => ({
  ecosystem: 'npm',
  name,
  version,
  kind,
});
const pypi = (name: string, version: string | null, kind: PackageFetch['kind']): PackageFetch => ({
  ecosystem: 'pypi',
  name,
  version,
  kind,
});

describe('packageFetch: npm', () => {
  it.each([
    ['/left-pad', npm('left-pad', null, 'metadata')],
    ['/JSONStream', npm('JSONStream', null, 'metadata')],
    ['/lodash.merge', npm('lodash.merge', null, 'metadata')],
    ['/@types%2fnode', npm('@types/node', null, 'metadata')],
    ['/@types%2Fnode', npm('@types/node', null, 'metadata')],
    ['/@types/node', npm('@types/node', null, 'metadata')],
    ['/left-pad?write=true', npm('left-pad', null, 'metadata')],
    ['/left-pad/-/left-pad-1.3.0.tgz', npm('left-pad', '1.3.0', 'archive')],
    ['/@types/node/-/node-20.19.43.tgz', npm('@types/node', '20.19.43', 'archive')],
    ['/@types%2fnode/-/node-20.19.43.tgz', npm('@types/node', '20.19.43', 'archive')],
    ['/lodash.merge/-/lodash.merge-4.6.2.tgz', npm('lodash.merge', '4.6.2', 'archive')],
    ['/react/-/react-19.0.0-rc.1.tgz', npm('react', '19.0.0-rc.1', 'archive')],
    ['/esbuild/-/esbuild-0.25.0+build.7.tgz', npm('esbuild', '0.25.0+build.7', 'archive')],
  ])('%s', (path, expected) => {
    expect(packageFetch('registry.npmjs.org', path)).toEqual(expected);
  });

  it.each([
    ['the registry root', '/'],
    ['a registry endpoint under /-/', '/-/v1/search?text=x'],
    ['a name starting with a dot', '/.hidden'],
    ['a name starting with an underscore', '/_design'],
    ['a tarball named after another package', '/left-pad/-/evil-1.0.0.tgz'],
    ['a tarball without a version', '/left-pad/-/left-pad-.tgz'],
    ['a tarball with a non-semver version', '/left-pad/-/left-pad-latest.tgz'],
    ['a scoped tarball named with its scope', '/@types/node/-/@types-node-1.0.0.tgz'],
    ['a scope without a name', '/@types'],
    ['an empty scope', '/@/node'],
    ['a trailing slash', '/left-pad/'],
    ['a second slash', '//left-pad'],
    ['an encoded slash in an unscoped name', '/a%2fb'],
    ['a dot-dot segment', '/../etc/passwd'],
    ['an encoded dot-dot', '/%2e%2e'],
    ['a NUL byte', '/left-pad%00.tgz'],
    ['a raw NUL byte', '/left\0pad'],
    ['a malformed escape', '/left%zzpad'],
    ['a truncated escape', '/left-pad%'],
    ['an encoded space', '/left%20pad'],
    ['a backslash', '/left\\pad'],
    ['a relative path', 'left-pad'],
    ['a 215-character name', `/${'a'.repeat(215)}`],
    ['a huge path', `/${'a'.repeat(100_000)}`],
  ])('not a fetch: %s', (_case, path) => {
    expect(packageFetch('registry.npmjs.org', path)).toBeNull();
  });
});

describe('packageFetch: PyPI', () => {
  it.each([
    ['/simple/requests/', pypi('requests', null, 'metadata')],
    ['/simple/requests', pypi('requests', null, 'metadata')],
    ['/simple/Zope.Interface/', pypi('zope-interface', null, 'metadata')],
    ['/pypi/requests/json', pypi('requests', null, 'metadata')],
    ['/pypi/requests/2.32.3/json', pypi('requests', '2.32.3', 'metadata')],
    ['/pypi/Foo__Bar/1!2.0/json', pypi('foo-bar', '1!2.0', 'metadata')],
    ['/packages/source/r/requests/requests-2.32.3.tar.gz', pypi('requests', '2.32.3', 'archive')],
    [
      '/packages/f9/9b/335f9764261e915ed497fcdeb11df5dfd6f7bf257d4a6a2a686d80da4d54/requests-2.32.3-py3-none-any.whl',
      pypi('requests', '2.32.3', 'archive'),
    ],
    [
      '/packages/aa/bb/cc/zope.interface-7.2-cp312-cp312-manylinux_2_17_x86_64.whl',
      pypi('zope-interface', '7.2', 'archive'),
    ],
    [
      '/packages/aa/typing_extensions-4.12.2-1-py3-none-any.whl',
      pypi('typing-extensions', '4.12.2', 'archive'),
    ],
    ['/packages/aa/python-dateutil-2.9.0.tar.gz', pypi('python-dateutil', '2.9.0', 'archive')],
    ['/packages/aa/six-1.16.0.zip', pypi('six', '1.16.0', 'archive')],
    ['/packages/aa/numpy-2.1.0rc1.tar.gz?x=1', pypi('numpy', '2.1.0rc1', 'archive')],
  ])('%s', (path, expected) => {
    expect(packageFetch('pypi.org', path)).toEqual(expected);
  });

  it.each([
    ['the index root', '/simple/'],
    ['a nested simple path', '/simple/requests/extra/'],
    ['the JSON API without a name', '/pypi//json'],
    ['a JSON API path with more segments', '/pypi/requests/2.0/json/more'],
    ['a version that is not one', '/pypi/requests/latest/json'],
    ['a wheel with too few tags', '/packages/aa/requests-2.0-py3.whl'],
    ['a wheel with too many tags', '/packages/aa/a-1-2-3-4-5-6.whl'],
    ['an sdist without a version', '/packages/aa/requests.tar.gz'],
    ['an sdist named with a leading dash', '/packages/aa/-1.0.tar.gz'],
    ['an unknown archive type', '/packages/aa/requests-2.0.exe'],
    ['a PEP 658 metadata file', '/packages/aa/requests-2.0-py3-none-any.whl.metadata'],
    ['an encoded slash in the file name', '/packages/aa/..%2f..%2fetc-1.0.tar.gz'],
    ['a dot-dot name', '/simple/../'],
    ['a NUL byte', '/simple/requests%00/'],
    ['a malformed escape', '/simple/req%e0%80uests/'],
    ['a name ending in a dot', '/simple/requests./'],
    ['a huge name', `/simple/${'a'.repeat(201)}/`],
  ])('not a fetch: %s', (_case, path) => {
    expect(packageFetch('pypi.org', path)).toBeNull();
  });
});

describe('packageFetch: hosts', () => {
  it('recognises both ecosystems on any other host (mirrors, loopback test registries)', () => {
    expect(packageFetch('127.0.0.1', '/left-pad/-/left-pad-1.3.0.tgz')?.ecosystem).toBe('npm');
    expect(packageFetch('mirror.test', '/simple/requests/')?.ecosystem).toBe('pypi');
  });

  it('reads a known registry host only in its own ecosystem', () => {
    expect(packageFetch('pypi.org', '/simple')).toBeNull();
    expect(packageFetch('files.pythonhosted.org', '/requests')).toBeNull();
    expect(packageFetch('registry.npmjs.org', '/simple/requests/')).toBeNull();
    expect(packageFetch('REGISTRY.NPMJS.ORG', '/simple/requests/')).toBeNull();
  });
});

describe('normalisePypiName', () => {
  it.each([
    ['Django', 'django'],
    ['zope.interface', 'zope-interface'],
    ['typing_extensions', 'typing-extensions'],
    ['A-._-B', 'a-b'],
  ])('%s -> %s', (name, expected) => {
    expect(normalisePypiName(name)).toBe(expected);
  });
});
