/**
 * Starting a run: a host (pinned ones only can start; an unpinned one says how to pin it), the
 * goal, the limits, and optionally a provider and model other than the default. main checks
 * everything and its errors say what to do; they show here as they come.
 */
import { useState, type FormEvent } from 'react';
import { useSettings } from '../../store/settings';
import { EMPTY_FORM, setFormOpen, startRun, useOperator, type RunForm } from '../../store/operator';
import { isPinned, useSshHosts } from '../../store/ssh';
import { TextWithCode } from '../TextWithCode';

export const GOAL_FIELD_ID = 'operator-goal';

function HostNote({ name }: { name: string }) {
  const host = useSshHosts((state) => state.hosts.find((candidate) => candidate.name === name));
  if (!host) return null;
  return isPinned(host) ? (
    <span className="muted">
      {host.user}@{host.address}:{host.port} · key pinned <code>{host.hostKey}</code>
    </span>
  ) : (
    <span className="error" data-testid="operator-unpinned">
      <TextWithCode
        text={`Its host key is not pinned yet: run \`paddock ssh test ${host.name}\` first, check the fingerprint it shows, and confirm it.`}
      />
    </span>
  );
}

function HostField({ value, onChange }: { value: string; onChange: (host: string) => void }) {
  const { hosts, loaded, error } = useSshHosts();
  if (error) return <p className="error">Could not read the SSH hosts: {error}</p>;
  if (loaded && hosts.length === 0)
    return (
      <p className="muted" data-testid="operator-no-hosts">
        <TextWithCode text="No SSH host yet. Add one with `paddock ssh add NAME --address HOST --user USER < key` (the private key goes to the keychain), then `paddock ssh test NAME` to pin its host key." />
      </p>
    );
  return (
    <label>
      Host
      <select name="host" value={value} required onChange={(event) => onChange(event.target.value)}>
        <option value="" disabled>
          Choose a host
        </option>
        {hosts.map((host) => (
          <option key={host.name} value={host.name}>
            {host.name} ({isPinned(host) ? 'pinned' : 'not pinned yet'})
          </option>
        ))}
      </select>
      <HostNote name={value} />
    </label>
  );
}

/** One span: the form's labels stack their children, and the mark belongs beside its label. */
function Optional({ label }: { label: string }) {
  return (
    <span>
      {label} <span className="muted">(optional)</span>
    </span>
  );
}

function ModelFields({ form, set }: { form: RunForm; set: (patch: Partial<RunForm>) => void }) {
  const values = useSettings((state) => state.values);
  const providers = values?.['operator.providers'] ?? [];
  const fallback = values?.['operator.defaultModel'];
  return (
    <div className="op-form-row">
      <label>
        <Optional label="Provider" />
        <select
          name="provider"
          value={form.provider}
          onChange={(event) => set({ provider: event.target.value })}
        >
          <option value="">Default{fallback ? `: ${fallback.provider}` : ''}</option>
          {providers.map((provider) => (
            <option key={provider.name} value={provider.name}>
              {provider.name} ({provider.api})
            </option>
          ))}
        </select>
      </label>
      <label>
        <Optional label="Model" />
        <input
          name="model"
          value={form.model}
          placeholder={fallback?.model ?? 'the default model'}
          onChange={(event) => set({ model: event.target.value })}
        />
      </label>
    </div>
  );
}

function LimitFields({ form, set }: { form: RunForm; set: (patch: Partial<RunForm>) => void }) {
  const field = (key: 'maxSteps' | 'maxMinutes' | 'maxBudgetUsd', label: string, step: string) => (
    <label>
      {key === 'maxBudgetUsd' ? <Optional label={label} /> : label}
      <input
        name={key}
        type="number"
        min="0"
        step={step}
        value={form[key]}
        placeholder={key === 'maxBudgetUsd' ? 'none' : undefined}
        onChange={(event) => set({ [key]: event.target.value })}
      />
    </label>
  );
  return (
    <div className="op-form-row">
      {field('maxSteps', 'Max steps', '1')}
      {field('maxMinutes', 'Max minutes', 'any')}
      {field('maxBudgetUsd', 'Max budget, USD', 'any')}
    </div>
  );
}

export function NewRunForm() {
  const { starting, startError } = useOperator();
  const preferred = useSshHosts(
    (state) => (state.hosts.find(isPinned) ?? state.hosts[0])?.name ?? '',
  );
  const [typed, setForm] = useState<RunForm>(EMPTY_FORM);
  // The hosts may be read after the form opens: until one is chosen, the first pinned one is.
  const form = { ...typed, host: typed.host || preferred };
  const set = (patch: Partial<RunForm>) => setForm((current) => ({ ...current, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void startRun(form);
  };
  return (
    <form
      className="new-session op-form"
      onSubmit={submit}
      aria-label="New operator run"
      data-testid="operator-form"
      onKeyDown={(event) => {
        if (event.key === 'Escape') setFormOpen(false);
      }}
    >
      <h2>New run</h2>
      <p className="muted">
        A model works on the host over SSH, one command at a time; each command passes your policy,
        and the ones it holds wait in the Inbox.
      </p>
      <HostField value={form.host} onChange={(host) => set({ host })} />
      <label>
        Goal
        <textarea
          id={GOAL_FIELD_ID}
          name="goal"
          rows={4}
          value={form.goal}
          required
          autoFocus
          placeholder="What should the operator do on the host?"
          onChange={(event) => set({ goal: event.target.value })}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit(event);
          }}
        />
      </label>
      <LimitFields form={form} set={set} />
      <ModelFields form={form} set={set} />
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={starting}>
          {starting ? 'Starting…' : 'Start run'}
        </button>
        <button type="button" className="button" onClick={() => setFormOpen(false)}>
          Cancel
        </button>
        <span className="muted">Ctrl+Enter starts · Esc closes</span>
      </div>
      {startError && (
        <p className="error" role="alert" data-testid="operator-start-error">
          <TextWithCode text={startError} />
        </p>
      )}
    </form>
  );
}
