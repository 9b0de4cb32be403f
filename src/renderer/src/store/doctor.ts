/** The last `doctor.run` report, kept while the person moves between screens. */
import { create } from 'zustand';
import type { DoctorReport } from '../../../shared/doctor';
import { api } from '../api/connection';
import { errorMessage } from '../format';

interface DoctorStore {
  running: boolean;
  report: DoctorReport | null;
  error: string | null;
}

export const useDoctor = create<DoctorStore>(() => ({ running: false, report: null, error: null }));

export async function runDoctor(): Promise<void> {
  useDoctor.setState({ running: true, error: null });
  try {
    useDoctor.setState({ report: await api.doctor.run({}), running: false });
  } catch (error) {
    useDoctor.setState({ running: false, error: errorMessage(error) });
  }
}
