/**
 * Syntax highlighting, in a chunk of its own: the grammars load the first time a file is
 * highlighted, not with the app.
 */
import { markEdits, tokenize, type HunkData, type HunkTokens } from 'react-diff-view';
import { refractor } from 'refractor/core';
import bash from 'refractor/bash';
import c from 'refractor/c';
import cpp from 'refractor/cpp';
import css from 'refractor/css';
import diff from 'refractor/diff';
import docker from 'refractor/docker';
import go from 'refractor/go';
import ini from 'refractor/ini';
import java from 'refractor/java';
import javascript from 'refractor/javascript';
import json from 'refractor/json';
import jsx from 'refractor/jsx';
import makefile from 'refractor/makefile';
import markdown from 'refractor/markdown';
import markup from 'refractor/markup';
import python from 'refractor/python';
import ruby from 'refractor/ruby';
import rust from 'refractor/rust';
import scss from 'refractor/scss';
import sql from 'refractor/sql';
import toml from 'refractor/toml';
import tsx from 'refractor/tsx';
import typescript from 'refractor/typescript';
import yaml from 'refractor/yaml';

// A chosen handful rather than refractor's "common" or "all": each grammar adds to the bundle.
// diffModel.ts maps file names onto exactly these (a test keeps the two in step).
for (const syntax of [
  bash,
  c,
  cpp,
  css,
  diff,
  docker,
  go,
  ini,
  java,
  javascript,
  json,
  jsx,
  makefile,
  markdown,
  markup,
  python,
  ruby,
  rust,
  scss,
  sql,
  toml,
  tsx,
  typescript,
  yaml,
]) {
  refractor.register(syntax);
}

export function canHighlight(language: string): boolean {
  return refractor.registered(language);
}

/**
 * react-diff-view 3 was written against refractor 3, whose `highlight` returned the nodes;
 * refractor 4 and later return a root holding them.
 */
const highlighter = {
  highlight: (text: string, language: string) => refractor.highlight(text, language).children,
};

/**
 * Syntax tokens and changed words within changed lines, or null to show plain text. A grammar
 * that throws on odd input must not take the diff down with it.
 */
export function tokenizeHunks(hunks: HunkData[], language: string | null): HunkTokens | null {
  if (!language || !canHighlight(language) || hunks.length === 0) return null;
  try {
    return tokenize(hunks, {
      highlight: true,
      refractor: highlighter,
      language,
      enhancers: [markEdits(hunks, { type: 'block' })],
    });
  } catch (error) {
    console.warn(`Could not highlight as ${language}:`, error);
    return null;
  }
}
