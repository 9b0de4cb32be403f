/**
 * What a command handler gets and gives back. A handler sees one simple command whose words are
 * all literal (the classifier has already refused the rest) and either proves it safe, with a
 * short label for the reason, or says why it cannot.
 */
import type { SimpleCommand } from '../shell/script';
import type { Word } from '../shell/words';

export type Proven = {
  readonly ok: true;
  /** How it was proven: `read-only`, `workspace write`, `named command`, a rule's text, ... */
  readonly kind: string;
  /** What to show for it: `ls`, `git status`, ... */
  readonly label: string;
  /** For `cd`: the directories the shell is in if it succeeds. */
  readonly cwds?: readonly string[];
};

export type Refused = { readonly ok: false; readonly reason: string };

export type Verdict = Proven | Refused;

export interface Scope {
  /** The workspace, absolute and normalized. */
  readonly workspace: string;
  readonly home?: string;
  /** Every directory the shell may be in at this point (a failed `cd` leaves the old one). */
  readonly cwds: readonly string[];
  /** Judges a whole nested script (`bash -c "…"`), in this scope. */
  readonly judgeScript: (script: string) => Verdict;
  /** Judges a command given as words (`time ls`, `xargs grep x`), in this scope. */
  readonly judgeWords: (words: readonly Word[]) => Verdict;
}

export interface Call {
  /** The program name, e.g. `git`. */
  readonly name: string;
  /** The words after the name. */
  readonly args: readonly Word[];
  /** The pipeline this command is in, and its place there (for `xargs`). */
  readonly pipeline: readonly SimpleCommand[];
  readonly index: number;
}

export type Handler = (call: Call, scope: Scope) => Verdict;

export const refuse = (reason: string): Refused => ({ ok: false, reason });

export const readOnly = (label: string): Proven => ({ ok: true, kind: 'read-only', label });
