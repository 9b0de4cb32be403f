/** A question asked before something that cannot be undone (stopping a run): a bar with its two answers. */
import type { ReactNode } from 'react';

interface ConfirmBarProps {
  label: string;
  testId: string;
  /** The confirming button's words. */
  action: string;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}

export function ConfirmBar({
  label,
  testId,
  action,
  onConfirm,
  onCancel,
  children,
}: ConfirmBarProps) {
  return (
    <div className="confirm-bar" role="alertdialog" aria-label={label} data-testid={testId}>
      <span>{children}</span>
      {/* Focus lands on the answer, so Enter confirms and Esc (the screen's key) cancels. */}
      <button type="button" className="button button--danger" autoFocus onClick={onConfirm}>
        {action}
      </button>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
