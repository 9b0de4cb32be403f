/**
 * Session workspaces: a repository of the session's own that borrows the project's objects
 * read-only, a private control dir beside it, and the session's diff read as data.
 */
export { createWorkspace, type WorkspaceRequest } from './create';
export { hideFromGit, treeDiff, workspaceDiff } from './diff';
export { checkOutLanding, removeLanding } from './landing-checkout';
export { personEnv, snapshotWorkspace, type GitPerson, type Snapshot } from './snapshot';
export { removeWorkspace, workspaceBytes } from './disk';
export { WorkspaceError, type WorkspaceErrorCode } from './errors';
export { branchFor, sessionLayout, type Workspace } from './layout';
export { repositoryRoot, resolveBase } from './project';
export { copyIntoWorkspace, type CopyReport } from './copy';
