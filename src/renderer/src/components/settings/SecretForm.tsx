/**
 * Adding a secret (name, value, hosts, header) or rotating one (the new value; hosts and header
 * only if the person opens them). Enter sends it, Escape cancels, the first field has focus.
 *
 * The value sits in a password field and in this component's state only, until it goes to
 * `secrets.set`; it is emptied once the vault has it, and the form closes.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { DEFAULT_SECRET_HEADER, type SecretEntry } from '../../../../shared/vault';
import { closeForm, saveSecret, type SecretsForm } from '../../store/secrets';
import { Keys } from '../Keys';
import { TextWithCode } from '../TextWithCode';
import { HostsInput, pendingHosts, type HostsValue } from './HostsInput';

interface Props {
  form: SecretsForm;
  /** The listed secret, for a rotation. */
  entry?: SecretEntry;
  saving: boolean;
  /** The vault's refusal, or the form's own check. */
  error: string | null;
}

export function SecretForm({ form, entry, saving, error }: Props) {
  const rotating = form.mode === 'rotate';
  const id = useId();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [hosts, setHosts] = useState<HostsValue>({ chips: entry?.hosts ?? [], draft: '' });
  const [header, setHeader] = useState(entry?.header ?? DEFAULT_SECRET_HEADER);
  // A rotation asks for the value alone; the binding is there to change, not in the way.
  const [bindingOpen, setBindingOpen] = useState(!rotating);
  // Opened from a rotation, the hosts field takes the focus the vanished button had.
  const openedBinding = useRef(false);
  useEffect(() => {
    if (!bindingOpen || !openedBinding.current) return;
    openedBinding.current = false;
    document.getElementById(`${id}-hosts`)?.focus();
  }, [bindingOpen, id]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await saveSecret({ name, value, hosts: pendingHosts(hosts), header });
    if (saved) setValue('');
  };
  const title = rotating ? `Rotate ${form.name}` : 'Add a secret';

  return (
    <form
      className="secret-form"
      aria-label={title}
      data-testid="secret-form"
      autoComplete="off"
      onSubmit={(event) => void submit(event)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          closeForm();
        }
      }}
    >
      <h3 className="secret-form-title">{title}</h3>
      {!rotating && (
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <div className="field-control">
            <input
              id={`${id}-name`}
              type="text"
              name="secret-name"
              className="mono"
              value={name}
              placeholder="OPENAI_API_KEY"
              autoFocus
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              aria-describedby={`${id}-name-help`}
              disabled={saving}
              onChange={(event) => setName(event.target.value)}
            />
          </div>
          <p id={`${id}-name-help`} className="help">
            Upper-case letters, digits and underscores, starting with a letter.
          </p>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-value`}>{rotating ? 'New value' : 'Value'}</label>
        <div className="field-control">
          <input
            id={`${id}-value`}
            type="password"
            name="secret-value"
            value={value}
            autoFocus={rotating}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={`${id}-value-help`}
            disabled={saving}
            onChange={(event) => setValue(event.target.value)}
          />
        </div>
        <p id={`${id}-value-help`} className="help">
          {rotating
            ? 'Replaces the value in the keychain. The old one is gone once this is saved.'
            : 'Kept in this machine’s keychain only. Paddock never shows it again.'}
        </p>
      </div>
      {rotating && !bindingOpen && (
        <div className="field">
          <span className="field-label">Binding</span>
          <div className="field-control secret-binding-kept">
            <span className="muted">
              Keeps{' '}
              {entry?.hosts.length ? (
                <span className="mono">{entry.hosts.join(', ')}</span>
              ) : (
                'no host'
              )}{' '}
              and <span className="mono">{entry?.header ?? DEFAULT_SECRET_HEADER}</span>
            </span>
            <button
              type="button"
              className="link-button"
              onClick={() => {
                openedBinding.current = true;
                setBindingOpen(true);
              }}
              disabled={saving}
            >
              Change hosts or header
            </button>
          </div>
        </div>
      )}
      {bindingOpen && (
        <>
          <div className="field">
            <label htmlFor={`${id}-hosts`}>Hosts</label>
            <div className="field-control">
              <HostsInput
                id={`${id}-hosts`}
                value={hosts}
                onChange={setHosts}
                describedBy={`${id}-hosts-help`}
                disabled={saving}
              />
            </div>
            <p id={`${id}-hosts-help`} className="help">
              <TextWithCode text="Where this value may be sent, as in Network rules: `api.example.com`, `*.example.com`, `api.example.com:8443`. Separate them with commas or spaces." />
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-header`}>Header</label>
            <div className="field-control">
              <input
                id={`${id}-header`}
                type="text"
                name="secret-header"
                className="mono secret-header-input"
                value={header}
                autoComplete="off"
                spellCheck={false}
                aria-describedby={`${id}-header-help`}
                disabled={saving}
                onChange={(event) => setHeader(event.target.value)}
              />
            </div>
            <p id={`${id}-header-help`} className="help">
              <TextWithCode
                text={`\`{}\` marks where the value goes: \`${DEFAULT_SECRET_HEADER}\`, or \`x-api-key: {}\` for APIs that read a key header.`}
              />
            </p>
          </div>
        </>
      )}
      {error && (
        <p className="error secret-form-error" role="alert" data-testid="secret-form-error">
          {error}
        </p>
      )}
      <div className="form-actions secret-form-actions">
        <button type="submit" className="button button--primary" disabled={saving}>
          {saving ? 'Saving…' : rotating ? 'Save new value' : 'Save secret'}
          <Keys keys={['Enter']} />
        </button>
        <button type="button" className="button" onClick={closeForm} disabled={saving}>
          Cancel
          <Keys keys={['Esc']} />
        </button>
      </div>
    </form>
  );
}
