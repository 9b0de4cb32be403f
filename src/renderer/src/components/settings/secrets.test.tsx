/**
 * Settings → Secrets in Node (no DOM here): the store against a mocked contract (what goes to
 * `secrets.set`, that no value is kept, that the vault's messages come through whole), the host
 * chips, and the section rendered to HTML. Focus, Enter and Escape need a browser and are left to
 * e2e/secrets.spec.ts.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SecretEntry } from '../../../../shared/vault';
import { textOf } from '../../test-support';

const calls = vi.hoisted(() => ({ list: vi.fn(), set: vi.fn(), remove: vi.fn() }));

vi.mock('../../api/connection', async () => {
  const { create } = await import('zustand');
  return {
    api: { secrets: calls, on: () => () => undefined },
    useConnection: create(() => ({ state: 'open', detail: null, transport: 'websocket' })),
  };
});

const store = await import('../../store/secrets');
const { useSecrets, resetSecrets, loadSecrets, openForm, saveSecret, removeSecret, askRemove } =
  store;
const { SecretsView } = await import('./SecretsSection');
const { takeChips, pendingHosts } = await import('./HostsInput');

const OPENAI: SecretEntry = {
  name: 'OPENAI_API_KEY',
  hosts: ['api.openai.com'],
  header: 'Authorization: Bearer {}',
  setAt: '2026-01-02T09:30:00.000Z',
  rotatedAt: null,
};
const GITHUB: SecretEntry = {
  name: 'GITHUB_TOKEN',
  hosts: ['api.github.com', '*.githubusercontent.com'],
  header: 'Authorization: token {}',
  setAt: '2026-01-01T08:00:00.000Z',
  rotatedAt: '2026-01-03T12:00:00.000Z',
};
const VALUE = 'sk-test-5f0c1e9a7b3d4c2e8f6a1b0c9d8e7f6a';
const KEYCHAIN_REFUSAL =
  'No keychain is reachable: nothing provides the Secret Service (org.freedesktop.secrets) on the D-Bus session bus (x). Install and start gnome-keyring (sudo apt-get install gnome-keyring; …). Paddock never keeps secrets in a plain file instead.';

const html = () => renderToStaticMarkup(<SecretsView state={useSecrets.getState()} />);

beforeEach(() => {
  resetSecrets();
  calls.list.mockReset();
  calls.set.mockReset();
  calls.remove.mockReset();
});

describe('host chips', () => {
  it('turns text followed by a comma or a space into chips and keeps the rest as typed', () => {
    expect(takeChips({ chips: [], draft: '' }, 'api.openai.com,')).toEqual({
      chips: ['api.openai.com'],
      draft: '',
    });
    expect(takeChips({ chips: ['a.example'], draft: '' }, 'b.example, *.c.example  d')).toEqual({
      chips: ['a.example', 'b.example', '*.c.example'],
      draft: 'd',
    });
    // A repeat is not a second chip.
    expect(takeChips({ chips: ['a.example'], draft: '' }, 'a.example ')).toEqual({
      chips: ['a.example'],
      draft: '',
    });
  });

  it('counts the half-typed host when the form is sent', () => {
    expect(pendingHosts({ chips: ['a.example'], draft: ' b.example:8443 ' })).toEqual([
      'a.example',
      'b.example:8443',
    ]);
    expect(pendingHosts({ chips: [], draft: '  ' })).toEqual([]);
  });
});

describe('the form’s own checks', () => {
  const draft = { name: 'NEW_KEY', value: VALUE, hosts: ['api.example.com'], header: '' };

  it('will not replace an existing secret from Add', () => {
    expect(store.checkDraft({ mode: 'add' }, { ...draft, name: 'OPENAI_API_KEY' }, [OPENAI])).toBe(
      'OPENAI_API_KEY is already in the vault. To replace its value, use Rotate on its row; to start over, remove it first.',
    );
  });

  it('asks for a value and for at least one host', () => {
    expect(store.checkDraft({ mode: 'add' }, { ...draft, value: '' }, [])).toMatch(/value/);
    expect(store.checkDraft({ mode: 'add' }, { ...draft, hosts: [] }, [])).toMatch(/one host/);
    const rotate = { mode: 'rotate', name: 'OPENAI_API_KEY' } as const;
    expect(store.checkDraft(rotate, { ...draft, hosts: [] }, [OPENAI])).toMatch(/one host/);
    // A secret set without hosts (from the CLI) can still be rotated as it is.
    const bare = { ...OPENAI, hosts: [] };
    expect(store.checkDraft(rotate, { ...draft, hosts: [] }, [bare])).toBeNull();
    expect(store.checkDraft({ mode: 'add' }, draft, [OPENAI])).toBeNull();
  });
});

describe('the store', () => {
  it('lists the vault, and shows its refusal word for word when no keychain answers', async () => {
    calls.list.mockResolvedValueOnce([GITHUB, OPENAI]);
    await loadSecrets();
    expect(useSecrets.getState().entries).toEqual([GITHUB, OPENAI]);

    calls.list.mockRejectedValueOnce({ code: 'failed', message: KEYCHAIN_REFUSAL });
    await loadSecrets();
    expect(useSecrets.getState().loadError).toBe(KEYCHAIN_REFUSAL);
  });

  it('adds a secret: the value goes to secrets.set and nowhere else', async () => {
    useSecrets.setState({ entries: [OPENAI] });
    openForm({ mode: 'add' });
    calls.set.mockResolvedValueOnce({ secret: GITHUB, rotated: false });
    const saved = await saveSecret({
      name: ' GITHUB_TOKEN ',
      value: VALUE,
      hosts: GITHUB.hosts,
      header: ' Authorization: token {} ',
    });
    expect(saved).toBe(true);
    expect(calls.set).toHaveBeenCalledWith({
      name: 'GITHUB_TOKEN',
      value: VALUE,
      hosts: GITHUB.hosts,
      header: 'Authorization: token {}',
    });
    const state = useSecrets.getState();
    expect(state.form).toBeNull();
    expect(state.entries?.map((e) => e.name)).toEqual(['GITHUB_TOKEN', 'OPENAI_API_KEY']);
    expect(state.notice).toBe('Saved GITHUB_TOKEN in the keychain. Its value is not shown again.');
    expect(JSON.stringify(state)).not.toContain(VALUE);
  });

  it('rotates with the value alone unless hosts or header changed', async () => {
    useSecrets.setState({ entries: [OPENAI] });
    openForm({ mode: 'rotate', name: 'OPENAI_API_KEY' });
    const rotated = { ...OPENAI, rotatedAt: '2026-01-04T00:00:00.000Z' };
    calls.set.mockResolvedValue({ secret: rotated, rotated: true });
    await saveSecret({ name: '', value: VALUE, hosts: OPENAI.hosts, header: OPENAI.header });
    expect(calls.set).toHaveBeenLastCalledWith({ name: 'OPENAI_API_KEY', value: VALUE });
    expect(useSecrets.getState().notice).toBe(
      'Rotated OPENAI_API_KEY: the keychain holds the new value.',
    );

    openForm({ mode: 'rotate', name: 'OPENAI_API_KEY' });
    await saveSecret({
      name: '',
      value: VALUE,
      hosts: ['api.openai.com', 'eu.api.openai.com'],
      header: OPENAI.header,
    });
    expect(calls.set).toHaveBeenLastCalledWith({
      name: 'OPENAI_API_KEY',
      value: VALUE,
      hosts: ['api.openai.com', 'eu.api.openai.com'],
    });
  });

  it('keeps the form open with the vault’s message when it refuses', async () => {
    useSecrets.setState({ entries: [] });
    openForm({ mode: 'add' });
    const refusal =
      'That is not a secret name (it has lower-case letters): a name is an upper-case letter, then up to 63 upper-case letters, digits and underscores, like OPENAI_API_KEY.';
    calls.set.mockRejectedValueOnce({ code: 'failed', message: refusal });
    const saved = await saveSecret({
      name: 'openai',
      value: VALUE,
      hosts: ['api.openai.com'],
      header: '',
    });
    expect(saved).toBe(false);
    const state = useSecrets.getState();
    expect(state.form).toEqual({ mode: 'add' });
    expect(state.formError).toBe(refusal);
    expect(state.saving).toBe(false);
    expect(JSON.stringify(state)).not.toContain(VALUE);
  });

  it('does not call the vault when the form’s own check fails', async () => {
    useSecrets.setState({ entries: [OPENAI] });
    openForm({ mode: 'add' });
    await saveSecret({ name: 'OPENAI_API_KEY', value: VALUE, hosts: ['x.example'], header: '' });
    expect(calls.set).not.toHaveBeenCalled();
    expect(useSecrets.getState().formError).toMatch(/already in the vault/);
  });

  it('removes after a confirmation, and says why not when the vault refuses', async () => {
    useSecrets.setState({ entries: [GITHUB, OPENAI] });
    askRemove('OPENAI_API_KEY');
    calls.remove.mockRejectedValueOnce({ message: KEYCHAIN_REFUSAL });
    expect(await removeSecret('OPENAI_API_KEY')).toBe(false);
    expect(useSecrets.getState()).toMatchObject({
      confirming: 'OPENAI_API_KEY',
      removeError: KEYCHAIN_REFUSAL,
      removing: null,
    });

    calls.remove.mockResolvedValueOnce(OPENAI);
    expect(await removeSecret('OPENAI_API_KEY')).toBe(true);
    expect(calls.remove).toHaveBeenLastCalledWith({ name: 'OPENAI_API_KEY' });
    const state = useSecrets.getState();
    expect(state.entries).toEqual([GITHUB]);
    expect(state.confirming).toBeNull();
    expect(state.notice).toBe('Removed OPENAI_API_KEY; its value is deleted from the keychain.');
  });
});

describe('the section', () => {
  it('lists names, hosts, header and times, never a value', () => {
    useSecrets.setState({ entries: [GITHUB, OPENAI] });
    const page = html();
    const text = textOf(page);
    expect(page.match(/data-testid="secret-row"/g)).toHaveLength(2);
    for (const expected of [
      'GITHUB_TOKEN',
      'api.github.com',
      '*.githubusercontent.com',
      'Authorization: token {}',
      'OPENAI_API_KEY',
      'api.openai.com',
      'Authorization: Bearer {}',
      'never rotated',
    ])
      expect(text).toContain(expected);
    expect(text).toMatch(/rotated 2026-01-0[34] \d\d:\d\d:00/);
    expect(page).toContain('aria-label="Rotate OPENAI_API_KEY"');
    expect(page).toContain('aria-label="Remove GITHUB_TOKEN"');
    expect(page).not.toContain('type="password"');
    expect(page).not.toContain('data-testid="secrets-empty"');
  });

  it('explains what the vault is for when it is empty: placeholders, the broker adding the value', () => {
    useSecrets.setState({ entries: [] });
    const text = textOf(html());
    expect(text).toContain('No secrets yet.');
    expect(text).toContain('placeholder');
    expect(text).toContain(
      'by Paddock’s credential broker, only to requests leaving for those hosts',
    );
    expect(text).not.toMatch(/still being built/);
  });

  it('says where a model key goes (the broker’s upstream, an operator provider), not “sent nowhere”', () => {
    const anthropic: SecretEntry = { ...OPENAI, name: 'ANTHROPIC_API_KEY', hosts: [] };
    const local: SecretEntry = { ...OPENAI, name: 'LOCAL_LLM_KEY', hosts: [] };
    const loose: SecretEntry = { ...OPENAI, name: 'UNUSED_TOKEN', hosts: [] };
    useSecrets.setState({ entries: [anthropic, local, loose] });
    const routes = {
      upstreams: { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com' },
      operatorProviders: [
        { name: 'anthropic', baseUrl: 'https://api.anthropic.com', secret: 'ANTHROPIC_API_KEY' },
        { name: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1', secret: 'LOCAL_LLM_KEY' },
      ],
    };
    const rows = renderToStaticMarkup(<SecretsView state={useSecrets.getState()} routes={routes} />)
      .split('data-testid="secret-row"')
      .slice(1)
      .map(textOf);
    expect(rows[0]).toContain("agents' model calls, to https://api.anthropic.com");
    expect(rows[0]).toContain(
      "the operator's model calls (anthropic), to https://api.anthropic.com",
    );
    expect(rows[0]).toContain('none on the proxy’s path');
    expect(rows[0]).not.toContain('sent nowhere');
    expect(rows[1]).toContain("the operator's model calls (ollama), to http://127.0.0.1:11434/v1");
    expect(rows[1]).not.toContain("agents' model calls");
    expect(rows[2]).toContain('none: it may be sent nowhere');
    expect(rows[2]).not.toContain('Model calls');
  });

  it('shows an SSH host’s key as that host’s, with how to replace it, and no Rotate or Remove', () => {
    const key: SecretEntry = {
      name: 'SSH_KEY_STAGING',
      hosts: [],
      header: 'Authorization: Bearer {}',
      setAt: '2026-01-02T09:30:00.000Z',
      rotatedAt: null,
    };
    useSecrets.setState({ entries: [key, OPENAI] });
    const page = renderToStaticMarkup(
      <SecretsView
        state={useSecrets.getState()}
        sshKeys={new Map([['SSH_KEY_STAGING', 'staging']])}
      />,
    );
    const row = textOf(page.split('data-testid="secret-row"')[1] ?? '');
    expect(page).toContain('data-ssh-host="staging"');
    expect(row).toContain('The private key of the SSH host staging');
    expect(row).toContain('paddock ssh rm staging');
    expect(row).not.toContain('Authorization');
    expect(row).not.toContain('sent nowhere');
    expect(page).not.toContain('aria-label="Rotate SSH_KEY_STAGING"');
    expect(page).not.toContain('aria-label="Remove SSH_KEY_STAGING"');
    expect(page).toContain('aria-label="Rotate OPENAI_API_KEY"');
  });

  it('shows the vault’s refusal (what to install or start) when no keychain answers', () => {
    useSecrets.setState({ entries: null, loadError: KEYCHAIN_REFUSAL });
    const page = html();
    expect(page).toContain('role="alert"');
    expect(textOf(page)).toContain(KEYCHAIN_REFUSAL);
    expect(textOf(page)).toContain('Try again');
    expect(page).not.toContain('Add secret');
  });

  it('adds with a password field that is never filled in, and the default header', () => {
    useSecrets.setState({ entries: [OPENAI], form: { mode: 'add' } });
    const page = html();
    const password = /<input[^>]*type="password"[^>]*>/.exec(page)?.[0] ?? '';
    expect(password).toMatch(/autocomplete="off"/i);
    expect(password).toContain('value=""');
    expect(page).toContain('name="secret-name"');
    expect(page).toContain('value="Authorization: Bearer {}"');
    expect(textOf(page)).toContain('{} marks where the value goes');
  });

  it('rotates by asking for the new value only, showing what is kept', () => {
    useSecrets.setState({
      entries: [OPENAI],
      form: { mode: 'rotate', name: 'OPENAI_API_KEY' },
    });
    const page = html();
    const text = textOf(page);
    expect(page).not.toContain('name="secret-name"');
    expect(page).not.toContain('name="hosts"');
    expect(page).toContain('type="password"');
    expect(text).toContain('Rotate OPENAI_API_KEY');
    expect(text).toContain('Keeps api.openai.com and Authorization: Bearer {}');
    expect(text).toContain('Change hosts or header');
  });

  it('asks before removing', () => {
    useSecrets.setState({ entries: [OPENAI], confirming: 'OPENAI_API_KEY' });
    const text = textOf(html());
    expect(text).toContain('Remove OPENAI_API_KEY? Its value is deleted from the keychain');
    expect(text).toContain('Keep it');
  });
});
