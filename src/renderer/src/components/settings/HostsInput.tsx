/**
 * Host specs as chips: typing a comma or a space (or pasting a list, or leaving the field) turns
 * what was typed into a chip; Backspace in the empty field takes the last chip back for editing.
 * What is still being typed counts too: `pendingHosts` adds it when the form is sent.
 */
import { useRef, type KeyboardEvent } from 'react';
import { splitHosts } from '../../store/secrets';

export interface HostsValue {
  chips: string[];
  /** Text typed after the last chip, not yet a chip. */
  draft: string;
}

/** Every host the field holds, the half-typed one included. */
export function pendingHosts(value: HostsValue): string[] {
  return [...new Set([...value.chips, ...splitHosts(value.draft)])];
}

/** Typed text with its finished hosts (those followed by a separator) moved into chips. */
export function takeChips(value: HostsValue, typed: string): HostsValue {
  const parts = typed.split(/[\s,]+/);
  const draft = parts.pop() ?? '';
  const done = parts.map((part) => part.trim()).filter(Boolean);
  return { chips: [...new Set([...value.chips, ...done])], draft };
}

interface Props {
  id: string;
  value: HostsValue;
  onChange(value: HostsValue): void;
  describedBy?: string;
  disabled?: boolean;
}

export function HostsInput({ id, value, onChange, describedBy, disabled }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Backspace' && value.draft === '' && value.chips.length > 0) {
      event.preventDefault();
      const last = value.chips[value.chips.length - 1] ?? '';
      onChange({ chips: value.chips.slice(0, -1), draft: last });
    }
  };
  return (
    // A click anywhere in the box goes to the text field, as in an ordinary input.
    <div
      className={`chips-input${disabled ? ' is-disabled' : ''}`}
      onClick={(event) => {
        if (event.target === event.currentTarget) input.current?.focus();
      }}
    >
      {value.chips.length > 0 && (
        <ul className="chips" aria-label="Hosts added">
          {value.chips.map((host) => (
            <li key={host} className="chip" data-testid="host-chip">
              <span className="mono">{host}</span>
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove host ${host}`}
                disabled={disabled}
                onClick={() => {
                  onChange({ ...value, chips: value.chips.filter((chip) => chip !== host) });
                  input.current?.focus();
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        ref={input}
        id={id}
        type="text"
        name="hosts"
        value={value.draft}
        placeholder={value.chips.length ? 'another host' : 'api.example.com'}
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="off"
        aria-describedby={describedBy}
        disabled={disabled}
        onKeyDown={onKeyDown}
        onChange={(event) => onChange(takeChips(value, event.target.value))}
        onBlur={() => {
          if (value.draft.trim()) onChange({ chips: pendingHosts(value), draft: '' });
        }}
      />
    </div>
  );
}
