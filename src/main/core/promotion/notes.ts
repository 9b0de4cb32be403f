/**
 * Sign-off statements travel with the project's history as git notes under `refs/notes/paddock`:
 * one DSSE envelope per line, on the reviewed head commit and on the commit that landed. A note
 * is pushed and fetched like any ref (`git push origin refs/notes/paddock`, `git fetch origin
 * 'refs/notes/*:refs/notes/*'`), so a clone can check its sign-offs offline.
 */
import { runGit } from '../git';
import { personEnv, type GitPerson, type Workspace } from '../workspaces';
import { copyObjects } from './land';

export const NOTES_REF = 'refs/notes/paddock';

/**
 * Adds lines to the note on `commit` in the project (creating it), skipping lines it has. A
 * snapshot commit of Paddock's is copied into the project first (with what it needs beyond
 * `target`), since a note names an object the repository must hold.
 */
export async function noteStatements(request: {
  projectPath: string;
  commit: string;
  lines: readonly string[];
  person: GitPerson;
  /** Where the commit comes from when the project may not have it yet. */
  from?: { workspace: Workspace; target: string };
}): Promise<void> {
  const { projectPath, commit } = request;
  if (request.from)
    await copyObjects(request.from.workspace, projectPath, commit, request.from.target);
  const present = new Set((await readNote(projectPath, commit)).split('\n'));
  const missing = request.lines.filter((line) => !present.has(line));
  if (missing.length === 0) return;
  await runGit(['notes', `--ref=${NOTES_REF}`, 'append', '-F', '-', commit], {
    cwd: projectPath,
    input: `${missing.join('\n')}\n`,
    env: personEnv(request.person),
  });
}

/** The note on `commit` (empty when there is none). */
export async function readNote(repository: string, commit: string): Promise<string> {
  return runGit(['notes', `--ref=${NOTES_REF}`, 'show', commit], { cwd: repository }).catch(
    () => '',
  );
}
