/** A review action that cannot be done as asked; the message says what to do instead. */
export class GateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateError';
  }
}
