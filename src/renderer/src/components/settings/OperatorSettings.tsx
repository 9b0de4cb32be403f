/**
 * Settings for the remote operator, read-only here: the SSH hosts (added, pinned and removed with
 * the CLI, so a private key never passes through the window) and the model providers.
 */
import { formatTime } from '../../format';
import { useSettings } from '../../store/settings';
import { useLiveSshHosts, useSshHosts } from '../../store/ssh';
import { TextWithCode } from '../TextWithCode';
import '../../screens/operator.css';

const HOST_COMMANDS = [
  'paddock ssh add NAME --address HOST [--port 22] --user USER < ~/.ssh/id_ed25519',
  'paddock ssh test NAME        # shows the host key; confirm it to pin it',
  'paddock ssh rm NAME          # the private key leaves the keychain too',
].join('\n');

export function SshHostsSection() {
  const { hosts, loaded, error } = useSshHosts();
  useLiveSshHosts();
  return (
    <>
      <p className="section-lead">
        Hosts the remote operator may work on. Their private keys are in the OS keychain and never
        pass through this window: hosts are added, tested and removed with the command line.
      </p>
      {error && <p className="error">Could not read the hosts: {error}</p>}
      {loaded && hosts.length === 0 && <p className="muted">No SSH host yet.</p>}
      <ul className="op-settings-list" data-testid="ssh-hosts">
        {hosts.map((host) => (
          <li key={host.name} data-testid="ssh-host" data-name={host.name}>
            <strong>{host.name}</strong>
            <code>
              {host.user}@{host.address}:{host.port}
            </code>
            {host.hostKey ? (
              <span className="muted">
                pinned <code>{host.hostKey}</code>
              </span>
            ) : (
              <span className="error">
                <TextWithCode text={`not pinned yet: \`paddock ssh test ${host.name}\``} />
              </span>
            )}
            <span className="muted">added {formatTime(host.addedAt)}</span>
          </li>
        ))}
      </ul>
      <pre className="op-commands">{HOST_COMMANDS}</pre>
    </>
  );
}

export function ModelProvidersSection() {
  const values = useSettings((state) => state.values);
  const providers = values?.['operator.providers'] ?? [];
  const fallback = values?.['operator.defaultModel'];
  return (
    <>
      <p className="section-lead">
        <TextWithCode text="The models the remote operator calls, through the credential broker (each key is the named vault secret, set with `paddock secrets set NAME`)." />
      </p>
      <ul className="op-settings-list" data-testid="operator-providers">
        {providers.map((provider) => (
          <li key={provider.name}>
            <strong>{provider.name}</strong>
            <span className="muted">{provider.api}</span>
            <code>{provider.baseUrl}</code>
            <span className="muted">
              key: <code>{provider.secret}</code>
            </span>
          </li>
        ))}
      </ul>
      {fallback && (
        <p>
          Default model: <strong>{fallback.provider}</strong> · <code>{fallback.model}</code>
        </p>
      )}
      <pre className="op-commands">
        {`paddock settings set operator.providers '[{"name":"anthropic","api":"anthropic-messages","baseUrl":"https://api.anthropic.com","secret":"ANTHROPIC_API_KEY"}]'\npaddock settings set operator.defaultModel '{"provider":"anthropic","model":"claude-sonnet-4-5"}'`}
      </pre>
    </>
  );
}
