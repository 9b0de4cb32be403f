import { ComingLater } from '../components/ComingLater';

export function SessionsScreen() {
  return (
    <ComingLater
      purpose="Start agents in sandboxed workspaces and watch their terminals — arrives with sessions (issue #4/#5)."
      today="`paddock doctor` checks this machine; so does Settings → Check this machine."
      links={[
        { screen: 'settings', label: 'Check this machine' },
        { screen: 'audit', label: 'Browse the audit trail' },
      ]}
    />
  );
}
