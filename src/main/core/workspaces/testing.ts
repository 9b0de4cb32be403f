/** For tests only. */
import { expect } from 'vitest';
import { WorkspaceError } from './errors';

/** The WorkspaceError a promise rejects with (the test fails if it resolves or throws another). */
export async function errorOf(promise: Promise<unknown>): Promise<WorkspaceError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WorkspaceError);
  return error as WorkspaceError;
}
