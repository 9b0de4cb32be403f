/**
 * The shell parser: tree-sitter's bash grammar, run as WebAssembly by web-tree-sitter.
 *
 * Loading WebAssembly is asynchronous, parsing is not: `ready()` loads both modules once (every
 * later call returns the same promise) and from then on `withSyntaxTree` is synchronous, so the
 * classifier stays a plain function. Until `ready()` has resolved, parsing throws
 * ParserNotReadyError and the classifier answers "ask": it fails closed, never open.
 *
 * The .wasm files are read from the installed packages with `require.resolve` and handed over as
 * bytes, so this works the same in plain Node, vitest and the electron-vite bundle (which keeps
 * dependencies external); tree-sitter-bash is used only for its .wasm, never its native binding.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';

export type SyntaxNode = Node;

export class ParserNotReadyError extends Error {
  constructor() {
    super('the shell parser is not loaded yet (call ready() first)');
  }
}

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

/** Loads the parser once; safe to call any number of times. */
export function ready(): Promise<void> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

export function isReady(): boolean {
  return parser !== undefined;
}

async function load(): Promise<void> {
  const resolve = createRequire(__filename).resolve;
  const wasmBinary = readFileSync(resolve('web-tree-sitter/web-tree-sitter.wasm'));
  await Parser.init({ wasmBinary });
  const bash = await Language.load(readFileSync(resolve('tree-sitter-bash/tree-sitter-bash.wasm')));
  const instance = new Parser();
  instance.setLanguage(bash);
  parser = instance;
}

/** Parses `source` and hands the root node to `use`; the tree is freed afterwards. */
export function withSyntaxTree<T>(source: string, use: (root: SyntaxNode) => T): T {
  if (!parser) throw new ParserNotReadyError();
  const tree = parser.parse(source);
  if (!tree) throw new Error('the shell parser returned no tree');
  try {
    return use(tree.rootNode);
  } finally {
    tree.delete();
  }
}
