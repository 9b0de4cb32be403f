/**
 * The cost report as `costs.report` serves it, and as `paddock costs` reads it when no Paddock host
 * runs. Without a host it reads the store (read-only) with only what the report reads: three
 * settings, the sessions' and projects' rows, and the policy parser only when the person has a
 * policy. Loading the whole core (sandbox, broker, terminal emulator) or even the settings
 * registry's schemas takes longer than the report itself, and people run `paddock costs` often.
 */
import type { CostReport } from '../shared/costs';
import type { SettingsValues } from '../shared/settings';
import { builtInPreset } from './core/agents/presets';
import {
  buildCostReport,
  type CostReportDeps,
  type CostReportOptions,
  type PersonalBudgets,
} from './core/costs/report';
import { ProjectsService } from './core/projects';
import { SessionRecords } from './core/sessions/session-records';
import { storedSettings } from './core/settings/stored';
import { AuditStore } from './core/store';
import type { Policy } from './core/policy';

export type CostReportSources = Omit<CostReportDeps, 'agentName' | 'personalBudgets'>;
type ParsePolicy = (text: string, file: string) => Pick<Policy, 'budgets'>;

/** The settings the report reads, and their values when unset (a test holds them to the registry's). */
export const REPORT_SETTING_DEFAULTS: Pick<
  SettingsValues,
  'costs.budgets' | 'policy.personal' | 'agents.custom'
> = { 'costs.budgets': {}, 'policy.personal': '', 'agents.custom': [] };

export function costReport(
  sources: CostReportSources,
  options: CostReportOptions,
  parsePolicy: ParsePolicy,
): CostReport {
  const personalBudgets: PersonalBudgets = (text) =>
    parsePolicy(text, 'your policy (setting policy.personal)').budgets ?? {};
  return buildCostReport(
    { ...sources, personalBudgets, agentName: (id) => presetName(id, sources.settings) },
    options,
  );
}

/** The report read straight from the store in `home` (read-only: a writer may be running). */
export async function readCostReport(
  home: string,
  options: CostReportOptions,
): Promise<CostReport> {
  const store = AuditStore.open({ home, readonly: true });
  try {
    const stored = storedSettings(store);
    const settings = {
      get: <K extends keyof typeof REPORT_SETTING_DEFAULTS>(key: K) =>
        (stored.get(key) ?? REPORT_SETTING_DEFAULTS[key]) as SettingsValues[K],
    };
    const parsePolicy: ParsePolicy = settings.get('policy.personal').trim()
      ? (await import('./core/policy')).parsePolicy
      : () => ({});
    return costReport(
      {
        store,
        settings: settings as CostReportSources['settings'],
        sessions: new SessionRecords(store),
        projects: new ProjectsService(store),
      },
      options,
      parsePolicy,
    );
  } finally {
    store.close();
  }
}

/** A built-in preset's name, or the name a person gave their own (`agents.custom`). */
function presetName(id: string, settings: CostReportSources['settings']): string | undefined {
  const custom = settings.get('agents.custom').find((preset) => preset.id === id)?.name;
  return builtInPreset(id)?.name ?? (typeof custom === 'string' ? custom : undefined);
}
