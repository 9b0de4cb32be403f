/** What `system.info` says about the Paddock this window talks to. */
import { create } from 'zustand';
import type { SystemInfo } from '../../../shared/contract';
import { api } from '../api/connection';
import { errorMessage } from '../format';

interface SystemStore {
  info: SystemInfo | null;
  error: string | null;
}

export const useSystem = create<SystemStore>(() => ({ info: null, error: null }));

export async function loadSystemInfo(): Promise<void> {
  try {
    useSystem.setState({ info: await api.system.info({}), error: null });
  } catch (error) {
    useSystem.setState({ error: errorMessage(error) });
  }
}
