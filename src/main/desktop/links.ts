/**
 * Which links the desktop app hands to the person's browser: http and https only (never file:,
 * javascript:, a custom scheme that starts another program, or a URL with credentials in it).
 */
const MAX_LINK = 2_048;

export function externalLink(url: string): string | null {
  if (url.length > MAX_LINK) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  if (parsed.username || parsed.password || !parsed.hostname) return null;
  return parsed.href;
}
