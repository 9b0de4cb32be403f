/** Hermetic git: argv only, a scrubbed environment, no configuration that can run a program. */
export { GitError } from './git-error';
export { runGit, runGitBuffer, type GitOptions } from './run-git';
