/**
 * A one-line message for whoever works in a session (the agent's queue, the operator's model):
 * sent on Enter or the button, the field cleared once it was taken. `after` follows the button
 * (how many were sent).
 */
import { useState, type FormEvent, type ReactNode } from 'react';

interface MessageBoxProps {
  id?: string;
  className?: string;
  label: string;
  placeholder: string;
  /** Resolves true once the message was taken (false: it stays in the field). */
  send(text: string): Promise<boolean>;
  /** The button's content. */
  children: ReactNode;
  after?: ReactNode;
  /** Escape leaves the field (where keys act on the screen). */
  blurOnEscape?: boolean;
}

export function MessageBox({
  id,
  className = 'queue-box',
  label,
  placeholder,
  send,
  children,
  after,
  blurOnEscape = false,
}: MessageBoxProps) {
  const [text, setText] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() && (await send(text.trim()))) setText('');
  };
  return (
    <form className={className} onSubmit={(event) => void submit(event)}>
      <input
        id={id}
        aria-label={label}
        placeholder={placeholder}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (blurOnEscape && event.key === 'Escape') event.currentTarget.blur();
        }}
      />
      <button type="submit" className="button" disabled={!text.trim()}>
        {children}
      </button>
      {after}
    </form>
  );
}
