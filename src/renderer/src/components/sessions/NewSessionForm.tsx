/**
 * Starting a session: project, agent, task and base, with the same checks as the CLI (main makes
 * them: a path that is no repository, an agent that is not installed, a base that does not exist
 * each come back as a clear error), and the start's progress step by step.
 */
import { useState, type FormEvent } from 'react';
import { setNewOpen, startSession, useSessions, type StartForm } from '../../store/sessions';
import { PolicyNotice } from './PolicyNotice';

const STEPS = [
  { id: 'workspace', label: 'Workspace: clone and check out' },
  { id: 'set-up', label: 'Set-up: files and command from the policy' },
  { id: 'agent', label: 'Agent: start in its terminal' },
] as const;

function Progress() {
  const start = useSessions((state) => state.start);
  if (!start) return null;
  const at = STEPS.findIndex((step) => step.id === start.step);
  return (
    <ol className="start-progress" aria-label="Start progress" data-testid="start-progress">
      {STEPS.map((step, index) => {
        const state =
          start.step === 'done' || index < at
            ? 'done'
            : index === at
              ? start.failed
                ? 'failed'
                : 'active'
              : 'todo';
        return (
          <li key={step.id} className={`start-step start-step--${state}`}>
            <span aria-hidden="true">
              {{ done: '✓', failed: '✗', active: '…', todo: '·' }[state]}
            </span>{' '}
            {step.label}
            {state === 'failed' && (
              <p className="error" role="alert">
                {start.failed}
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}

export function NewSessionForm() {
  const { projects, agents, start } = useSessions();
  const installed = agents.filter((agent) => agent.installed);
  const [form, setForm] = useState<StartForm>({
    project: projects[0]?.path ?? '',
    preset: projects[0]?.lastPreset ?? installed[0]?.id ?? '',
    task: '',
    base: '',
    // Off on every opening of the form: running without a sandbox is chosen afresh each time.
    unsandboxed: false,
  });
  const busy = start !== null && !start.failed && start.step === 'workspace';
  const set = (patch: Partial<StartForm>) => setForm((current) => ({ ...current, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void startSession(form);
  };

  return (
    <form
      className="new-session"
      onSubmit={submit}
      aria-label="New session"
      data-testid="new-session"
      onKeyDown={(event) => {
        if (event.key === 'Escape') setNewOpen(false);
      }}
    >
      <h2>New session</h2>
      <label>
        Project (a git repository)
        <input
          list="known-projects"
          value={form.project}
          placeholder="/path/to/repository"
          onChange={(event) => {
            const project = projects.find((p) => p.path === event.target.value);
            set({
              project: event.target.value,
              ...(project?.lastPreset ? { preset: project.lastPreset } : {}),
            });
          }}
          required
          autoFocus
          name="project"
        />
        <datalist id="known-projects">
          {projects.map((project) => (
            <option key={project.id} value={project.path}>
              {project.name}
            </option>
          ))}
        </datalist>
      </label>
      <PolicyNotice project={form.project} />
      <label>
        Agent
        <select
          name="agent"
          value={form.preset}
          onChange={(event) => set({ preset: event.target.value })}
        >
          {agents.map((agent) => (
            <option key={agent.id} value={agent.id} disabled={!agent.installed}>
              {agent.name}
              {agent.installed ? (agent.version ? ` ${agent.version}` : '') : ' (not installed)'}
            </option>
          ))}
        </select>
      </label>
      <label>
        Task
        <textarea
          name="task"
          rows={4}
          value={form.task}
          placeholder="What should the agent do?"
          onChange={(event) => set({ task: event.target.value })}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit(event);
          }}
        />
      </label>
      <label>
        Base <span className="muted">(default: the project’s HEAD)</span>
        <input
          name="base"
          value={form.base}
          placeholder="HEAD"
          onChange={(event) => set({ base: event.target.value })}
        />
      </label>
      <label className="unsandboxed-choice">
        <input
          type="checkbox"
          name="unsandboxed"
          checked={form.unsandboxed}
          aria-describedby={form.unsandboxed ? 'unsandboxed-warning' : undefined}
          onChange={(event) => set({ unsandboxed: event.target.checked })}
        />
        Run without sandbox
      </label>
      {form.unsandboxed && (
        <p id="unsandboxed-warning" className="error unsandboxed-warning">
          The agent gets your full access: your SSH keys, cloud credentials and every file you can
          write. Recorded in the audit trail.
        </p>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className={`button ${form.unsandboxed ? 'button--danger' : 'button--primary'}`}
          disabled={busy}
        >
          {busy ? 'Starting…' : form.unsandboxed ? 'Start UNSANDBOXED' : 'Start session'}
        </button>
        <button type="button" className="button" onClick={() => setNewOpen(false)}>
          Cancel
        </button>
        <span className="muted">Ctrl+Enter starts · Esc closes</span>
      </div>
      <Progress />
    </form>
  );
}
