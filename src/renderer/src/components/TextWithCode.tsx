/** Renders `backticked` spans of a message as code: fixes and hints name commands that way. */
export function TextWithCode({ text }: { text: string }) {
  const parts = text.split(/`([^`]+)`/);
  // split with one capture group alternates: text, code, text, code, ...
  return (
    <>{parts.map((part, index) => (index % 2 === 1 ? <code key={index}>{part}</code> : part))}</>
  );
}
