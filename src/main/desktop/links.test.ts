import { describe, expect, it } from 'vitest';
import { externalLink } from './links';

describe('links opened in the browser', () => {
  it('takes http and https links, as the URL parser writes them', () => {
    expect(externalLink('https://docs.anthropic.com/claude-code')).toBe(
      'https://docs.anthropic.com/claude-code',
    );
    expect(externalLink('http://localhost:3000/a b')).toBe('http://localhost:3000/a%20b');
  });

  it('refuses every other scheme, credentials, and what is not a URL', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'vscode://file/etc/passwd',
      'ms-msdt:/id PCWDiagnostic',
      'smb://attacker/share',
      'https://user:secret@example.com/',
      'not a url',
      `https://example.com/${'a'.repeat(3000)}`,
    ])
      expect(externalLink(url), url).toBeNull();
  });
});
