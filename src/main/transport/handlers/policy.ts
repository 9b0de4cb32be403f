import type { CommandDecision, PolicyView } from '../../../shared/policy';
import { ContractError } from '../../../shared/contract';
import { mergePolicies, ready, type PolicyService } from '../../core/policy';
import { repositoryRoot } from '../../core/workspaces';
import type { Person } from '../../paddock';
import type { Handlers } from '../router';

type PolicyCalls = 'policy.check' | 'policy.show' | 'policy.trust' | 'policy.untrust';

/** The repository's top level (symlinks resolved), as projects and trust records name it. */
async function projectRoot(path: string): Promise<string> {
  const root = await repositoryRoot(path);
  if (!root) throw new ContractError('failed', `${path} is not in a git repository.`);
  return root;
}

export function policyHandlers(
  policies: PolicyService,
  person: Person,
): Pick<Handlers, PolicyCalls> {
  return {
    'policy.check': async ({ project, commands }) => {
      const root = await projectRoot(project);
      await ready(); // the shell parser: without it every command would be "ask"
      const decisions: CommandDecision[] = [];
      for (const command of commands) {
        const decision = await policies.decide(
          root,
          { tool: 'Bash', command },
          { workspace: root },
        );
        decisions.push({ command, ...decision });
      }
      return decisions;
    },
    'policy.show': async ({ project }) => {
      const root = await projectRoot(project);
      const { personal, repository } = await policies.load(root);
      const rules = mergePolicies(
        personal ?? undefined,
        repository ? { policy: repository.policy, trusted: repository.trusted } : undefined,
      );
      const workspace = repository?.policy.workspace;
      const view: PolicyView = {
        project: root,
        rules: rules.map((rule) => ({ ...rule })),
        personal: personal !== null,
        repository: repository && {
          sha256: repository.sha256,
          text: repository.text,
          trusted: repository.trusted,
          trustedBefore: repository.trustedBefore,
          workspace: workspace
            ? {
                copy: [...workspace.copy],
                setup:
                  typeof workspace.setup === 'string'
                    ? workspace.setup
                    : (workspace.setup?.join(' ') ?? null),
              }
            : null,
        },
      };
      return view;
    },
    'policy.trust': async ({ project, sha256 }) => {
      const record = await policies.trust(await projectRoot(project), person, sha256);
      return { sha256: record.sha256, trustedAt: record.trustedAt };
    },
    'policy.untrust': async ({ project }) => ({
      forgotten: policies.untrust(await projectRoot(project), person),
    }),
  };
}
