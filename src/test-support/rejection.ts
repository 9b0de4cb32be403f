import { expect } from 'vitest';

/** The error `work` fails with, checked to be a `kind`; a success fails the test. */
export async function rejectionOf<E extends Error>(
  work: Promise<unknown>,
  kind: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(kind);
  return error as E;
}
