/**
 * Each sandboxed session's network (its proxy), shared by every process of the session while one
 * runs: opened with the first, closed after the last, like the sandbox's own per-session state.
 */
import type { SessionNetwork } from '../network';

export class SessionNetworks {
  private readonly open = new Map<
    string,
    { network: Promise<SessionNetwork | null>; runs: number }
  >();

  /** The session's network, opened by `start` if no process of the session holds one now. */
  async acquire(
    sessionId: string,
    start: () => Promise<SessionNetwork | null>,
  ): Promise<SessionNetwork | null> {
    let entry = this.open.get(sessionId);
    if (!entry) {
      entry = { network: start(), runs: 0 };
      this.open.set(sessionId, entry);
    }
    entry.runs += 1;
    try {
      return await entry.network;
    } catch (error) {
      await this.release(sessionId);
      throw error;
    }
  }

  async release(sessionId: string): Promise<void> {
    const entry = this.open.get(sessionId);
    if (!entry) return;
    entry.runs -= 1;
    if (entry.runs > 0) return;
    this.open.delete(sessionId);
    const network = await entry.network.catch(() => null);
    await network?.close();
  }

  async closeAll(): Promise<void> {
    const entries = [...this.open.values()];
    this.open.clear();
    await Promise.all(
      entries.map(async (entry) => (await entry.network.catch(() => null))?.close()),
    );
  }
}
