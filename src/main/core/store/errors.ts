/** Errors a person can act on: each names the file and what to do next. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: 'not-sqlite' | 'corrupt' | 'foreign' | 'too-new' | 'locked' | 'needs-migration',
    readonly file: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
