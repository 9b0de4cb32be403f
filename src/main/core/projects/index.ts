/**
 * Projects: the repositories a person runs agents on. Adding one checks it is a git repository;
 * removing one forgets it and never touches the repository itself.
 */
import { randomBytes } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Project } from '../../../shared/sessions';
import type { Actor } from '../../../shared/audit';
import type { AuditStore } from '../store';
import { repositoryRoot } from '../workspaces';

export class ProjectError extends Error {}

interface ProjectRow {
  id: string;
  path: string;
  name: string;
  added_at: string;
  last_preset: string | null;
}

type By = { actor: Actor; actorId: string };

export class ProjectsService {
  constructor(private readonly store: AuditStore) {}

  async add(dir: string, by: By): Promise<Project> {
    const path = await validRepository(dir);
    const existing = this.find(path);
    if (existing) return existing;
    const project: Project = {
      id: `prj_${randomBytes(4).toString('hex')}`,
      path,
      name: basename(path),
      addedAt: new Date().toISOString(),
      lastPreset: null,
    };
    this.store.transaction(() => {
      this.store.database
        .prepare('INSERT INTO projects (id, path, name, added_at) VALUES (?, ?, ?, ?)')
        .run(project.id, path, project.name, project.addedAt);
      this.store.append({ kind: 'project.added', ...by, payload: { projectId: project.id, path } });
    });
    return project;
  }

  list(): Project[] {
    return (
      this.store.database
        .prepare('SELECT * FROM projects ORDER BY name, path')
        .all() as ProjectRow[]
    ).map(toProject);
  }

  /** By id, or by the repository's path (any path that resolves to it). */
  find(idOrPath: string): Project | null {
    const byId = this.store.database
      .prepare('SELECT * FROM projects WHERE id = ?')
      .get(idOrPath) as ProjectRow | undefined;
    if (byId) return toProject(byId);
    const row = this.store.database
      .prepare('SELECT * FROM projects WHERE path = ?')
      .get(canonicalPath(idOrPath)) as ProjectRow | undefined;
    return row ? toProject(row) : null;
  }

  /** Forgets the project. The repository on disk is left exactly as it is. */
  remove(idOrPath: string, by: By): Project {
    const project = this.find(idOrPath);
    if (!project)
      throw new ProjectError(
        `${idOrPath} is not a Paddock project. \`paddock project list\` shows them.`,
      );
    this.store.transaction(() => {
      this.store.database.prepare('DELETE FROM projects WHERE id = ?').run(project.id);
      this.store.append({
        kind: 'project.removed',
        ...by,
        payload: { projectId: project.id, path: project.path },
      });
    });
    return project;
  }

  rememberPreset(projectId: string, preset: string): void {
    this.store.database
      .prepare('UPDATE projects SET last_preset = ? WHERE id = ?')
      .run(preset, projectId);
  }
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    path: row.path,
    name: row.name,
    addedAt: row.added_at,
    lastPreset: row.last_preset,
  };
}

function canonicalPath(dir: string): string {
  try {
    return realpathSync(resolve(dir));
  } catch {
    return resolve(dir);
  }
}

/** The repository's root, or a ProjectError naming the path and what is wrong with it. */
async function validRepository(dir: string): Promise<string> {
  const path = canonicalPath(dir);
  try {
    if (!statSync(path).isDirectory()) throw new ProjectError(`${path} is not a directory.`);
  } catch (error) {
    if (error instanceof ProjectError) throw error;
    throw new ProjectError(`${path} does not exist.`);
  }
  const root = await repositoryRoot(path);
  if (root === null)
    throw new ProjectError(
      `${path} is not a git repository. Run \`git init\` there first, or add the repository's own folder.`,
    );
  if (root !== path)
    throw new ProjectError(`${path} is inside the repository ${root}: add ${root} itself.`);
  return path;
}
