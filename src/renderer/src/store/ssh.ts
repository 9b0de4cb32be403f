/**
 * The SSH hosts the remote operator may work on, as `ssh.list` gives them: the New run form picks
 * one, Settings lists them. Hosts are added, pinned and removed with the CLI only (the private key
 * never passes through the window); each change also changes the `ssh.hosts` setting, which the
 * App follows, so the list is read again then.
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import type { SshHost } from '../../../shared/ssh';
import { api, useConnection } from '../api/connection';
import { errorMessage } from '../format';
import { useSettings } from './settings';

interface SshHostsStore {
  hosts: SshHost[];
  loaded: boolean;
  error: string | null;
}

export const useSshHosts = create<SshHostsStore>(() => ({ hosts: [], loaded: false, error: null }));

export async function loadSshHosts(): Promise<void> {
  try {
    const hosts = await api.ssh.list({});
    hosts.sort((a, b) => a.name.localeCompare(b.name));
    useSshHosts.setState({ hosts, loaded: true, error: null });
  } catch (error) {
    useSshHosts.setState({ error: errorMessage(error) });
  }
}

/** A host the operator can start on: its key is pinned (an unpinned one is refused by main). */
export function isPinned(host: Pick<SshHost, 'hostKey'>): boolean {
  return host.hostKey !== null;
}

/** Reads the hosts when the connection (re)opens and whenever one is added, pinned or removed. */
export function useLiveSshHosts(): void {
  const open = useConnection((state) => state.state === 'open');
  const setting = useSettings((state) => state.values?.['ssh.hosts']);
  useEffect(() => {
    if (open) void loadSshHosts();
  }, [open, setting]);
}
