import type { Command } from 'commander';
import type { CliContext } from '../context';
import { EXIT, withExitCode } from '../output';

export function registerProject(program: Command, context: CliContext): void {
  const project = program.command('project').description('the repositories agents work on');

  project
    .command('add <dir>')
    .description('add a git repository')
    .action(
      withExitCode(async (dir: string) => {
        const added = await context.withApi('write', (api) => api.project.add({ path: dir }));
        context.print(`${added.name}  ${added.path}  (${added.id})`);
        return EXIT.ok;
      }),
    );

  project
    .command('list')
    .option('--json', 'print as JSON')
    .action(
      withExitCode(async (options: { json?: boolean }) => {
        const projects = await context.withApi('write', (api) => api.project.list({}));
        if (options.json) context.print(JSON.stringify(projects, null, 2));
        else if (projects.length === 0)
          context.print('No projects yet: `paddock project add DIR` adds one.');
        else
          for (const p of projects)
            context.print(
              `${p.name}  ${p.path}  (${p.id}${p.lastPreset ? `, last agent ${p.lastPreset}` : ''})`,
            );
        return EXIT.ok;
      }),
    );

  project
    .command('rm <dir>')
    .description('forget a project (the repository itself is never touched)')
    .action(
      withExitCode(async (dir: string) => {
        const removed = await context.withApi('write', (api) => api.project.remove({ path: dir }));
        context.print(`Removed ${removed.name} from Paddock; ${removed.path} is untouched.`);
        return EXIT.ok;
      }),
    );
}
