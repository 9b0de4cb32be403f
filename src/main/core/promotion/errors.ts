/** Why a landing cannot be computed or a promotion refuses; the message says what to do. */
export type PromotionErrorCode =
  'no-target' | 'conflict' | 'moved' | 'dirty-checkout' | 'other-worktree' | 'git-failed';

export class PromotionError extends Error {
  constructor(
    message: string,
    readonly code: PromotionErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PromotionError';
  }
}
