/**
 * The Secrets section of Settings: the vault's index as `secrets.list` gives it (never a value),
 * which form is open, and what the vault last said.
 *
 * A value never enters this store: it lives in the form's password field until `saveSecret` passes
 * it to `secrets.set`, and nothing here keeps the input of a call.
 */
import { create } from 'zustand';
import type { SecretEntry } from '../../../shared/vault';
import { api } from '../api/connection';
import { errorMessage } from '../format';

/** Adding a new secret, or replacing one's value (its hosts and header kept unless changed). */
export type SecretsForm = { mode: 'add' } | { mode: 'rotate'; name: string };

export interface SecretsState {
  /** Null until the first answer. */
  entries: SecretEntry[] | null;
  loading: boolean;
  /** Why the list could not be read: a keychain that does not answer says what to do. */
  loadError: string | null;
  form: SecretsForm | null;
  saving: boolean;
  /** The vault's refusal (or the form's own check), shown in the open form. */
  formError: string | null;
  /** The secret whose removal waits for a confirmation. */
  confirming: string | null;
  removing: string | null;
  removeError: string | null;
  /** What the last change did, for a polite live region. */
  notice: string | null;
}

const INITIAL: SecretsState = {
  entries: null,
  loading: false,
  loadError: null,
  form: null,
  saving: false,
  formError: null,
  confirming: null,
  removing: null,
  removeError: null,
  notice: null,
};

export const useSecrets = create<SecretsState>(() => ({ ...INITIAL }));

/** For tests: back to nothing loaded, nothing open. */
export function resetSecrets(): void {
  useSecrets.setState({ ...INITIAL });
}

let loadSeq = 0;

/** Reads the index again; a later call wins over an earlier one still in flight. */
export async function loadSecrets(): Promise<void> {
  const seq = ++loadSeq;
  useSecrets.setState({ loading: true });
  try {
    const entries = await api.secrets.list({});
    if (seq === loadSeq) useSecrets.setState({ entries, loading: false, loadError: null });
  } catch (error) {
    if (seq === loadSeq) useSecrets.setState({ loading: false, loadError: errorMessage(error) });
  }
}

/** Audit kinds after which the list is read again (a change from the CLI or another window). */
export const VAULT_EVENT_KINDS: ReadonlySet<string> = new Set([
  'vault.secret.set',
  'vault.secret.rotated',
  'vault.secret.removed',
]);

export function openForm(form: SecretsForm): void {
  useSecrets.setState({ form, formError: null, confirming: null, removeError: null, notice: null });
}

export function closeForm(): void {
  if (useSecrets.getState().saving) return;
  useSecrets.setState({ form: null, formError: null });
}

/** Host specs typed as one text: separated by commas or white space, repeats dropped. */
export function splitHosts(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((host) => host.trim())
        .filter(Boolean),
    ),
  ];
}

export function sameHosts(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((host, index) => host === b[index]);
}

export interface SecretDraft {
  name: string;
  value: string;
  hosts: string[];
  header: string;
}

/**
 * What the form checks before asking the vault: only what the vault would let through but a person
 * would not mean. Whether a name, host or header is valid is the vault's to say (its messages
 * describe what is wrong without repeating a value).
 */
export function checkDraft(
  form: SecretsForm,
  draft: SecretDraft,
  entries: readonly SecretEntry[],
): string | null {
  if (form.mode === 'add') {
    const name = draft.name.trim();
    // `secrets.set` on a name that exists replaces its value: from "Add" that would be a surprise.
    if (entries.some((entry) => entry.name === name))
      return `${name} is already in the vault. To replace its value, use Rotate on its row; to start over, remove it first.`;
  }
  if (draft.value === '') return 'Enter the value to keep in the keychain.';
  // A secret bound to no host is never sent anywhere. The vault allows it (the CLI's default for a
  // new secret); this form asks for one, and a rotation may keep an existing secret's empty list.
  const listed = form.mode === 'rotate' ? entries.find((e) => e.name === form.name) : undefined;
  if (draft.hosts.length === 0 && (form.mode === 'add' || (listed?.hosts.length ?? 0) > 0))
    return 'Name at least one host this secret may be sent to, like api.openai.com.';
  return null;
}

/** The entries with one added or replaced, by name as the vault sorts them. */
export function withEntry(entries: readonly SecretEntry[], entry: SecretEntry): SecretEntry[] {
  return [...entries.filter((e) => e.name !== entry.name), entry].sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
}

/**
 * Stores a new secret or rotates one. For a rotation, hosts and header are sent only when they
 * differ from the listed ones, so the vault keeps them otherwise. True when the vault took it.
 */
export async function saveSecret(draft: SecretDraft): Promise<boolean> {
  const { form, entries, saving } = useSecrets.getState();
  if (!form || saving) return false;
  const problem = checkDraft(form, draft, entries ?? []);
  if (problem) {
    useSecrets.setState({ formError: problem });
    return false;
  }
  const name = form.mode === 'add' ? draft.name.trim() : form.name;
  const current = entries?.find((entry) => entry.name === name);
  const hosts =
    form.mode === 'add' || !current || !sameHosts(draft.hosts, current.hosts)
      ? draft.hosts
      : undefined;
  const header =
    form.mode === 'add' || !current || draft.header.trim() !== current.header
      ? draft.header.trim()
      : undefined;
  useSecrets.setState({ saving: true, formError: null });
  try {
    const { secret, rotated } = await api.secrets.set({
      name,
      value: draft.value,
      ...(hosts ? { hosts } : {}),
      ...(header ? { header } : {}),
    });
    useSecrets.setState((state) => ({
      saving: false,
      form: null,
      entries: withEntry(state.entries ?? [], secret),
      notice: rotated
        ? `Rotated ${secret.name}: the keychain holds the new value.`
        : `Saved ${secret.name} in the keychain. Its value is not shown again.`,
    }));
    return true;
  } catch (error) {
    useSecrets.setState({ saving: false, formError: errorMessage(error) });
    return false;
  }
}

export function askRemove(name: string): void {
  useSecrets.setState({ confirming: name, removeError: null, form: null, formError: null });
}

export function cancelRemove(): void {
  if (useSecrets.getState().removing) return;
  useSecrets.setState({ confirming: null, removeError: null });
}

/** True when it is gone. */
export async function removeSecret(name: string): Promise<boolean> {
  if (useSecrets.getState().removing) return false;
  useSecrets.setState({ removing: name, removeError: null });
  try {
    const removed = await api.secrets.remove({ name });
    useSecrets.setState((state) => ({
      removing: null,
      confirming: null,
      entries: (state.entries ?? []).filter((entry) => entry.name !== removed.name),
      notice: `Removed ${removed.name}; its value is deleted from the keychain.`,
    }));
    return true;
  } catch (error) {
    useSecrets.setState({ removing: null, removeError: errorMessage(error) });
    return false;
  }
}
