/**
 * Settings → Secrets: the vault's index (name, hosts, header, when set and rotated; never a value,
 * which `secrets.list` does not return), with Add, Rotate and Remove. The vault's messages are
 * shown as they come: they are written for the person (an invalid name, a keychain that does not
 * answer and what to install or start).
 */
import { useEffect, useRef } from 'react';
import { modelKeyRoutes, type ModelRoutes, type SecretEntry } from '../../../../shared/vault';
import { api, useConnection } from '../../api/connection';
import { formatTime } from '../../format';
import {
  askRemove,
  cancelRemove,
  loadSecrets,
  openForm,
  removeSecret,
  useSecrets,
  VAULT_EVENT_KINDS,
  type SecretsForm,
  type SecretsState,
} from '../../store/secrets';
import { useSettings } from '../../store/settings';
import { useLiveSshHosts, useSshHosts } from '../../store/ssh';
import { Keys } from '../Keys';
import { TextWithCode } from '../TextWithCode';
import { SecretForm } from './SecretForm';

const ADD_BUTTON = 'secret-add';
const rotateButton = (name: string) => `secret-rotate-${name}`;
const removeButton = (name: string) => `secret-remove-${name}`;

/** Reads the list when the connection opens, and again when the vault changes elsewhere. */
function useSecretsData() {
  const open = useConnection((state) => state.state === 'open');
  useEffect(() => {
    if (open) void loadSecrets();
  }, [open]);
  useEffect(
    () =>
      api.on('audit.appended', (events) => {
        if (events.some((event) => VAULT_EVENT_KINDS.has(event.kind))) void loadSecrets();
      }),
    [],
  );
}

/** When a form or a confirmation closes, focus goes back to the button that opened it. */
function useFocusReturn(form: SecretsForm | null, confirming: string | null) {
  const last = useRef({ form, confirming });
  useEffect(() => {
    const before = last.current;
    last.current = { form, confirming };
    if (form || confirming) return;
    const target = before.form
      ? before.form.mode === 'rotate'
        ? rotateButton(before.form.name)
        : ADD_BUTTON
      : before.confirming
        ? removeButton(before.confirming)
        : null;
    if (!target) return;
    // A removed secret's button is gone: Add is the next thing to do.
    (document.getElementById(target) ?? document.getElementById(ADD_BUTTON))?.focus();
  }, [form, confirming]);
}

export function SecretsSection() {
  useSecretsData();
  useLiveSshHosts();
  const state = useSecrets();
  const hosts = useSshHosts((ssh) => ssh.hosts);
  const values = useSettings((settings) => settings.values);
  useFocusReturn(state.form, state.confirming);
  const routes: ModelRoutes | undefined = values
    ? {
        upstreams: {
          anthropic: values['broker.upstream.anthropic'],
          openai: values['broker.upstream.openai'],
        },
        operatorProviders: values['operator.providers'],
      }
    : undefined;
  return (
    <SecretsView
      state={state}
      sshKeys={new Map(hosts.map((host) => [host.keySecret, host.name]))}
      routes={routes}
    />
  );
}

/**
 * The section for a given state (rendered alone by the unit tests). `sshKeys` names the SSH host
 * whose private key a secret is: such a key goes to no HTTP host and in no header, and it comes and
 * goes with its host (`paddock ssh add|rm`), so its row says so instead of offering Rotate.
 */
export function SecretsView({
  state,
  sshKeys = new Map(),
  routes,
}: {
  state: SecretsState;
  sshKeys?: ReadonlyMap<string, string>;
  /** Where model keys go (the settings): a row says so rather than "sent nowhere". */
  routes?: ModelRoutes;
}) {
  const { entries, loading, loadError, form, confirming, notice } = state;
  return (
    <div className="secrets" data-testid="secrets">
      <p className="section-lead">
        <TextWithCode text="API keys and tokens, kept in this machine’s keychain. Paddock stores only each one’s name, the hosts it may be sent to and the header it goes in; a value is never shown after you enter it. `paddock secrets set NAME --host HOST` does the same from a terminal." />
      </p>
      {loadError ? (
        <LoadProblem message={loadError} retrying={loading} />
      ) : (
        <div className="secrets-toolbar">
          <button
            id={ADD_BUTTON}
            type="button"
            className="button"
            disabled={entries === null || form?.mode === 'add'}
            onClick={() => openForm({ mode: 'add' })}
          >
            Add secret
          </button>
          <p className="secrets-notice" role="status" data-testid="secrets-notice">
            {notice}
          </p>
        </div>
      )}
      {form?.mode === 'add' && (
        <SecretForm key="add" form={form} saving={state.saving} error={state.formError} />
      )}
      {entries === null ? (
        !loadError && <p className="muted">Reading the vault…</p>
      ) : entries.length === 0 ? (
        <EmptySecrets />
      ) : (
        <ul className="secret-list" aria-label="Secrets" data-testid="secret-list">
          {entries.map((entry) => {
            const host = sshKeys.get(entry.name);
            return host !== undefined ? (
              <SshKeyRow key={entry.name} entry={entry} host={host} />
            ) : (
              <SecretRow
                key={entry.name}
                entry={entry}
                modelRoutes={routes ? modelKeyRoutes(entry.name, routes) : []}
                rotating={form?.mode === 'rotate' && form.name === entry.name ? form : null}
                confirming={confirming === entry.name}
                state={state}
              />
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** The vault refused to list: usually no keychain, and the message says what to install or start. */
function LoadProblem({ message, retrying }: { message: string; retrying: boolean }) {
  return (
    <div className="secrets-problem" role="alert" data-testid="secrets-problem">
      <p className="error">
        <strong>The vault cannot be read.</strong> {message}
      </p>
      <button
        type="button"
        className="button"
        disabled={retrying}
        onClick={() => void loadSecrets()}
      >
        {retrying ? 'Trying…' : 'Try again'}
      </button>
    </div>
  );
}

function EmptySecrets() {
  return (
    <div className="secrets-empty" data-testid="secrets-empty">
      <p>
        <strong>No secrets yet.</strong>
      </p>
      <p className="muted">
        Keep an API key or token here rather than in a project’s files or an agent’s environment.
        The vault holds each value in the keychain together with the hosts it is meant for and the
        header it goes in. That binding is what lets agents work with a placeholder while the real
        value is added, by Paddock’s credential broker, only to requests leaving for those hosts.
      </p>
    </div>
  );
}

/** An SSH host's private key: used by Paddock's own SSH connections to that host, nowhere else. */
function SshKeyRow({ entry, host }: { entry: SecretEntry; host: string }) {
  return (
    <li className="secret" data-testid="secret-row" data-name={entry.name} data-ssh-host={host}>
      <div className="secret-line">
        <div className="secret-info">
          <span className="secret-name mono">{entry.name}</span>
          <p className="secret-note">
            The private key of the SSH host <strong>{host}</strong>: Paddock signs in to it with
            this key for the remote operator; it is never sent over HTTP, nor shown to a model.
          </p>
          <p className="secret-note muted">
            <TextWithCode
              text={`Replace or remove it with its host: \`paddock ssh rm ${host}\`, then \`paddock ssh add ${host} … < KEY\`.`}
            />
          </p>
          <p className="secret-times muted">
            Set <time dateTime={entry.setAt}>{formatTime(entry.setAt)}</time>
          </p>
        </div>
      </div>
    </li>
  );
}

interface RowProps {
  entry: SecretEntry;
  /** Where the model broker or the operator sends it (see `modelKeyRoutes`). */
  modelRoutes: readonly string[];
  rotating: SecretsForm | null;
  confirming: boolean;
  state: SecretsState;
}

function SecretRow({ entry, modelRoutes, rotating, confirming, state }: RowProps) {
  const removing = state.removing === entry.name;
  const removeError = confirming ? state.removeError : null;
  return (
    <li className="secret" data-testid="secret-row" data-name={entry.name}>
      <div className="secret-line">
        <div className="secret-info">
          <span className="secret-name mono">{entry.name}</span>
          <dl className="secret-binding">
            <div>
              <dt>Hosts</dt>
              <dd>
                {entry.hosts.length > 0 ? (
                  <ul className="host-list" aria-label={`Hosts of ${entry.name}`}>
                    {entry.hosts.map((host) => (
                      <li key={host}>
                        <code>{host}</code>
                      </li>
                    ))}
                  </ul>
                ) : modelRoutes.length > 0 ? (
                  <span className="muted">none on the proxy’s path</span>
                ) : (
                  <span className="muted">none: it may be sent nowhere (Rotate to add one)</span>
                )}
              </dd>
            </div>
            {modelRoutes.length > 0 && (
              <div>
                <dt>Model calls</dt>
                <dd>
                  <ul className="route-list" aria-label={`Where ${entry.name} goes as a model key`}>
                    {modelRoutes.map((route) => (
                      <li key={route}>{route}</li>
                    ))}
                  </ul>
                </dd>
              </div>
            )}
            <div>
              <dt>Header</dt>
              <dd>
                <code>{entry.header}</code>
              </dd>
            </div>
          </dl>
          <p className="secret-times muted">
            Set <time dateTime={entry.setAt}>{formatTime(entry.setAt)}</time>
            {' · '}
            {entry.rotatedAt ? (
              <>
                rotated <time dateTime={entry.rotatedAt}>{formatTime(entry.rotatedAt)}</time>
              </>
            ) : (
              'never rotated'
            )}
          </p>
        </div>
        <div className="secret-actions">
          <button
            id={rotateButton(entry.name)}
            type="button"
            className="button"
            aria-label={`Rotate ${entry.name}`}
            disabled={rotating !== null || removing}
            onClick={() => openForm({ mode: 'rotate', name: entry.name })}
          >
            Rotate
          </button>
          <button
            id={removeButton(entry.name)}
            type="button"
            className="button"
            aria-label={`Remove ${entry.name}`}
            disabled={confirming || removing}
            onClick={() => askRemove(entry.name)}
          >
            Remove
          </button>
        </div>
      </div>
      {rotating && (
        <SecretForm
          key={`rotate-${entry.name}`}
          form={rotating}
          entry={entry}
          saving={state.saving}
          error={state.formError}
        />
      )}
      {confirming && <ConfirmRemove name={entry.name} removing={removing} error={removeError} />}
    </li>
  );
}

function ConfirmRemove({
  name,
  removing,
  error,
}: {
  name: string;
  removing: boolean;
  error: string | null;
}) {
  return (
    <div
      className="confirm-bar secret-confirm"
      role="group"
      aria-label={`Remove ${name}?`}
      data-testid="secret-confirm"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          cancelRemove();
        }
      }}
    >
      <span>
        Remove <strong className="mono">{name}</strong>? Its value is deleted from the keychain;
        this cannot be undone.
        {error && (
          <span className="error secret-confirm-error" role="alert">
            {error}
          </span>
        )}
      </span>
      <button
        type="button"
        className="button button--danger"
        autoFocus
        disabled={removing}
        onClick={() => void removeSecret(name)}
      >
        {removing ? 'Removing…' : 'Remove'}
        <Keys keys={['Enter']} />
      </button>
      <button type="button" className="button" disabled={removing} onClick={cancelRemove}>
        Keep it
        <Keys keys={['Esc']} />
      </button>
    </div>
  );
}
