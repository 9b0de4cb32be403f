/** Paddock's own settings (saved in main, audited) and the machine check. */
import { DoctorChecks } from '../components/DoctorChecks';
import { NotificationPermission } from '../notify/NotificationPermission';
import { ModelProvidersSection, SshHostsSection } from '../components/settings/OperatorSettings';
import { SecretsSection } from '../components/settings/SecretsSection';
import { TextWithCode } from '../components/TextWithCode';
import { api } from '../api/connection';
import { errorMessage, formatTime } from '../format';
import { runDoctor, useDoctor } from '../store/doctor';
import { loadSettings, saveSetting, useSettings } from '../store/settings';
import { useState } from 'react';
import type { ThemePreference } from '../theme';

const THEMES: ReadonlyArray<{ value: ThemePreference; label: string }> = [
  { value: 'system', label: 'System (follow the OS)' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

function isTheme(value: string): value is ThemePreference {
  return THEMES.some((theme) => theme.value === value);
}

function ThemeField() {
  const { values, loadError, saving, saveError } = useSettings();
  return (
    <div className="field">
      <label htmlFor="setting-theme">Theme</label>
      <div className="field-control">
        <select
          id="setting-theme"
          value={values?.['ui.theme'] ?? 'system'}
          disabled={!values || saving === 'ui.theme'}
          aria-describedby="setting-theme-help"
          onChange={(event) => {
            const value = event.target.value;
            if (isTheme(value)) void saveSetting('ui.theme', value);
          }}
        >
          {THEMES.map((theme) => (
            <option key={theme.value} value={theme.value}>
              {theme.label}
            </option>
          ))}
        </select>
        {saving === 'ui.theme' && <span className="muted">Saving…</span>}
      </div>
      <p id="setting-theme-help" className="help">
        <TextWithCode text="Colour theme of the app. Saved in Paddock and recorded in the audit trail; `paddock settings set ui.theme dark` does the same." />
      </p>
      {loadError && (
        <p className="error" role="alert">
          Could not load settings: {loadError}
        </p>
      )}
      {saveError && (
        <p className="error" role="alert">
          Not saved: {saveError}
        </p>
      )}
    </div>
  );
}

/** Do-not-disturb: notifications stop; the inbox still fills and its count still shows. */
function DoNotDisturbField() {
  const { values, saving } = useSettings();
  return (
    <div className="field">
      <label htmlFor="setting-dnd">Do not disturb</label>
      <div className="field-control">
        <input
          id="setting-dnd"
          type="checkbox"
          checked={values?.['notifications.doNotDisturb'] ?? false}
          disabled={!values || saving === 'notifications.doNotDisturb'}
          aria-describedby="setting-dnd-help"
          onChange={(event) => void saveSetting('notifications.doNotDisturb', event.target.checked)}
        />
        {saving === 'notifications.doNotDisturb' && <span className="muted">Saving…</span>}
      </div>
      <p id="setting-dnd-help" className="help">
        No notifications for new requests or sessions that wait or finish. The inbox still fills and
        its count still shows.
      </p>
      <NotificationPermission />
    </div>
  );
}

function MachineCheck() {
  const { running, report, error } = useDoctor();
  return (
    <>
      <p className="section-lead">
        <TextWithCode text="What Paddock needs from this machine (git, the sandbox, the keychain, agent CLIs): the same checks as `paddock doctor`. Each run is recorded in the audit trail." />
      </p>
      <p>
        <button
          type="button"
          className="button"
          onClick={() => void runDoctor()}
          disabled={running}
        >
          {running ? 'Checking…' : 'Check this machine'}
        </button>
      </p>
      {error && (
        <p className="error" role="alert">
          The check could not run: {error}
        </p>
      )}
      {report && <DoctorChecks report={report} />}
    </>
  );
}

/** Repository policies the person trusts, each exactly one version; forgetting is one click. */
function TrustedPolicies() {
  const trusted = useSettings((state) => state.values?.['policy.trusted']) ?? {};
  const [error, setError] = useState<string | null>(null);
  const forget = async (project: string) => {
    try {
      await api.policy.untrust({ project });
      setError(null);
      await loadSettings();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const entries = Object.entries(trusted);
  return (
    <>
      <p className="section-lead">
        <TextWithCode text="A repository's `.paddock/policy.yaml` counts (its allows, its workspace set-up) only for the version you trusted; a changed file asks again. `paddock policy trust --project DIR` shows it and trusts it." />
      </p>
      {entries.length === 0 ? (
        <p className="muted">No repository policy is trusted.</p>
      ) : (
        <ul className="trusted-policies" data-testid="trusted-policies">
          {entries.map(([project, record]) => (
            <li key={project}>
              <code>{project}</code>{' '}
              <span className="muted">
                version {record.sha256.slice(0, 12)}…, trusted {formatTime(record.trustedAt)}
              </span>{' '}
              <button type="button" className="button" onClick={() => void forget(project)}>
                Forget
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

/** What you allowed for a whole project from the inbox: each rule can be taken back. */
function ProjectAnswers() {
  const answers = useSettings((state) => state.values?.['approvals.project']) ?? {};
  const entries = Object.entries(answers).filter(([, rules]) => rules.length > 0);
  const remove = (project: string, rule: string) => {
    const rest = answers[project]?.filter((kept) => kept !== rule) ?? [];
    const next = Object.fromEntries(
      Object.entries(answers).filter(([path]) => path !== project || rest.length > 0),
    );
    if (rest.length > 0) next[project] = rest;
    void saveSetting('approvals.project', next);
  };
  return (
    <>
      <p className="section-lead">
        <TextWithCode text="Answers “allow for this project” from the inbox. They count only where the policy would ask, so a deny still wins." />
      </p>
      {entries.length === 0 ? (
        <p className="muted">Nothing is allowed for a whole project yet.</p>
      ) : (
        <ul className="trusted-policies" data-testid="project-answers">
          {entries.flatMap(([project, rules]) =>
            rules.map((rule) => (
              <li key={`${project}\u0000${rule}`}>
                <code>{rule}</code> <span className="muted">in {project}</span>{' '}
                <button type="button" className="button" onClick={() => remove(project, rule)}>
                  Remove
                </button>
              </li>
            )),
          )}
        </ul>
      )}
    </>
  );
}

export function SettingsScreen() {
  return (
    <div className="settings">
      <section aria-labelledby="settings-appearance">
        <h2 id="settings-appearance">Appearance</h2>
        <ThemeField />
      </section>
      <section aria-labelledby="settings-notifications">
        <h2 id="settings-notifications">Notifications</h2>
        <DoNotDisturbField />
      </section>
      <section aria-labelledby="settings-secrets">
        <h2 id="settings-secrets">Secrets</h2>
        <SecretsSection />
      </section>
      <section aria-labelledby="settings-ssh-hosts">
        <h2 id="settings-ssh-hosts">SSH hosts</h2>
        <SshHostsSection />
      </section>
      <section aria-labelledby="settings-operator-models">
        <h2 id="settings-operator-models">Operator models</h2>
        <ModelProvidersSection />
      </section>
      <section aria-labelledby="settings-policies">
        <h2 id="settings-policies">Trusted repository policies</h2>
        <TrustedPolicies />
      </section>
      <section aria-labelledby="settings-project-answers">
        <h2 id="settings-project-answers">Allowed for a whole project</h2>
        <ProjectAnswers />
      </section>
      <section aria-labelledby="settings-machine">
        <h2 id="settings-machine">This machine</h2>
        <MachineCheck />
      </section>
    </div>
  );
}
