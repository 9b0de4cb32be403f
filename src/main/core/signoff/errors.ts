/** A statement that cannot be read or made as asked; the message says what is wrong with it. */
export class SignoffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignoffError';
  }
}
