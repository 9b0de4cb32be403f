/**
 * The token kinds the redactor catches, derived from secretlint's recommended preset
 * (@secretlint/secretlint-rule-preset-recommend 11.3.0, with the AWS rule's `enableIDScanRule`).
 *
 * Why not call secretlint itself: `lintSource` is async and scans a whole document per call, and
 * terminal output arrives in 4–64 KB pieces at 100+ MB/s. So each rule's regular expression and
 * its filters are carried over here, almost verbatim, and `secretlint-parity.test.ts` runs the real
 * preset over a corpus of real-format fake secrets to prove that everything it reports is redacted
 * here. That test also fails when a preset upgrade adds a rule this file does not know.
 *
 * How they run: a prefilter looks for each pattern's anchor, a cheap part every match contains
 * (`AKIA`, `ghp_`, `-----BEGIN`, `://` followed by `user:…@`, ...). Each pattern is sticky and tried
 * only where its anchor is (or, for OpenAI and x-oauth-basic tokens, at the few places before it
 * where the token could start). Prefixes that are optional or fixed (`aws_` before `secret`, the
 * scheme before `://`) became look-behinds or were dropped: they change neither whether a match
 * exists nor where its secret is.
 *
 * Deliberate differences, each a superset of what secretlint reports:
 * - Patterns run over bytes (a latin1 view of the stream), so offsets are byte offsets. Every
 *   pattern is ASCII, so matching is the same, except that quantifier bounds count bytes.
 * - Unbounded repetitions are bounded (whitespace around `=` ≤ 256, Slack segments ≤ 32) so that a
 *   streaming redactor knows how far a match can reach. Real tokens are far inside the bounds.
 * - The redacted span is the secret, not always secretlint's reported range: secretlint's range
 *   for an AWS secret key or an x-oauth-basic token starts at the label, not at the value, and for
 *   URLs (basic auth, database) only `user:password` is redacted so the host stays readable.
 * - Private keys: any `-----BEGIN … PRIVATE KEY-----` block is redacted, with or without its END
 *   line (a key cut short by `head` still leaks), encrypted ones included, without secretlint's
 *   100-character minimum and magic-byte check.
 * - `_authToken=` values are caught anywhere (secretlint only looks for them in `.npmrc` files).
 * - `secretlint-disable` comments are not honoured: an agent must not be able to switch redaction
 *   off by printing one.
 *
 * Not applicable to a stream: the GCP rule, which needs a `.json`/`.p12` file (the private key in
 * a service-account JSON is still caught by the private-key pattern), and the comment filter.
 */

/**
 * What replaces a secret: `[REDACTED-aws]`. No `:` or `@` in it, so a placeholder where a URL's
 * `user:password` was is not itself read as credentials by secretlint (a gate that scans the
 * session's recording must come out clean).
 */
export const placeholder = (ruleId: string) =>
  // A vault secret is named, as the person named it: `[secret:ANTHROPIC_KEY]`.
  ruleId.startsWith('secret:') ? `[${ruleId}]` : `${PLACEHOLDER_PREFIX}${ruleId}]`;
export const PLACEHOLDER_PREFIX = '[REDACTED-';

/** Where a secret sits inside a match: [start, end) in the scanned text. */
export type Span = readonly [start: number, end: number];

export interface TokenPattern {
  /** The secretlint rule it comes from, without `@secretlint/secretlint-rule-`. */
  ruleId: string;
  /** Which of the rule's checks (secretlint's message id, or ours for the additions). */
  name: string;
  /**
   * Source of a regular expression that matches where every match of `pattern` has its anchor.
   * An anchor that may be long has a `|$` branch: cut short by the end of the data, it still counts.
   */
  anchor: string;
  /** Sticky; the `d` flag where the secret is a capture group. Tried at each of `starts`. */
  pattern: RegExp;
  /** Where a match may start, given its anchor's position (default: at the anchor). */
  starts?(text: string, anchor: number): number[];
  /** A secret starts at most this many characters before its anchor. */
  lead: number;
  /** A match ends at most this many characters after its anchor starts (one more for a `\b`). */
  reach: number;
  /** The secret within a match, or null when the rule's filters reject the match. */
  secret(match: RegExpExecArray): Span | null;
  /** Sticky: what may continue a secret whose match was cut short (see `continues`). */
  continuation: RegExp;
  /** A match that stops before the end of the text is final (greedy to a terminator). */
  settlesAtMatchEnd?: boolean;
  /** The match stopped at the pattern's own length bound and the secret goes on after it. */
  continues?(match: RegExpExecArray): boolean;
}

/** Characters that may continue most tokens; a redaction that had to be cut keeps eating these. */
const TOKEN_CONTINUATION = /[A-Za-z0-9_\-+/=.]*/y;

const whole = (match: RegExpExecArray): Span => [match.index, match.index + match[0].length];

/** The span of capture group `group` (patterns using this carry the `d` flag). */
const group =
  (index: number) =>
  (match: RegExpExecArray): Span | null =>
    match.indices?.[index] ?? null;

/** From the start of group `first` to the end of group `last`: `user:password` in a URL. */
const groups =
  (first: string, last: string) =>
  (match: RegExpExecArray): Span | null => {
    const from = match.indices?.groups?.[first];
    const to = match.indices?.groups?.[last];
    return from && to ? [from[0], to[1]] : null;
  };

// --- AWS -----------------------------------------------------------------------------------------

/** AWS's documentation examples, which secretlint lets through. */
const AWS_EXAMPLE_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
/** `\s*` in secretlint, bounded so a match has a known reach. */
const WS = String.raw`\s{0,256}`;

const awsAccessKeyId: TokenPattern = {
  ruleId: 'aws',
  name: 'AWSAccessKeyID',
  anchor: 'A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA',
  lead: 0,
  reach: 21,
  pattern: /\b(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\b/y,
  secret: (match) => (match[0] === AWS_EXAMPLE_KEY_ID ? null : whole(match)),
  continuation: TOKEN_CONTINUATION,
};

// secretlint: ["']?(AWS|aws|Aws)?_?(SECRET|secret|Secret)_?(ACCESS|…)… The optional prefix is
// dropped: a match exists at `secret` exactly when one exists a few characters before it.
const awsSecretAccessKey: TokenPattern = {
  ruleId: 'aws',
  name: 'AWSSecretAccessKey',
  anchor: '(?:SECRET|[Ss]ecret)_?(?:ACCESS|[Aa]ccess)_?(?:KEY|[Kk]ey)',
  lead: 0,
  reach: 6 + 1 + 6 + 1 + 3 + 1 + 256 + 2 + 256 + 1 + 40 + 1 + 1,
  pattern: new RegExp(
    String.raw`(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)["']?${WS}(?::|=>|=)${WS}["']?([A-Za-z0-9/+=]{40})["']?\b`,
    'dy',
  ),
  secret: (match) => (match[1] === AWS_EXAMPLE_SECRET ? null : group(1)(match)),
  continuation: TOKEN_CONTINUATION,
};

const awsAccountId: TokenPattern = {
  ruleId: 'aws',
  name: 'AWSAccountID',
  anchor: String.raw`(?:ACCOUNT|[Aa]ccount)_?(?:ID|[Ii]d)?["']?${WS}(?::|=>|=|$)`,
  lead: 0,
  reach: 7 + 1 + 2 + 1 + 256 + 2 + 256 + 1 + 14 + 1 + 1,
  pattern: new RegExp(
    String.raw`(?:ACCOUNT|account|Account)_?(?:ID|id|Id)?["']?${WS}(?::|=>|=)${WS}["']?([0-9]{4}-?[0-9]{4}-?[0-9]{4})["']?\b`,
    'dy',
  ),
  secret: group(1),
  continuation: TOKEN_CONTINUATION,
};

// --- private keys --------------------------------------------------------------------------------

/** Body characters: base64, whitespace, and backslashes for keys inside JSON strings. */
const PEM_BODY = String.raw`[A-Za-z0-9+/=\s\\]`;
const PEM_BODY_CHAR = new RegExp(`^${PEM_BODY}$`);
/** `RSA`, `OPENSSH`, `ENCRYPTED`, ... (secretlint lists five kinds; any is a private key). */
const PEM_KIND = String.raw`[ ]?(?:[A-Z0-9]{1,16} ){0,2}PRIVATE KEY(?: BLOCK)?-----`;
const PEM_END = `-----END${PEM_KIND}`;
/** Longer than secretlint's 10,000; a longer body is redacted in pieces (see `continuation`). */
const PEM_BODY_MAX = 16_384;

const privateKey: TokenPattern = {
  ruleId: 'privatekey',
  name: 'PrivateKey',
  anchor: '-----BEGIN',
  lead: 0,
  reach: 80 + PEM_BODY_MAX + 80,
  pattern: new RegExp(
    `-----BEGIN${PEM_KIND}${PEM_BODY}{0,${PEM_BODY_MAX}}(?<end>${PEM_END})?`,
    'y',
  ),
  secret: (match) => trimTrailingSpace(match, whole(match)),
  continuation: new RegExp(`${PEM_BODY}*(?:${PEM_END})?`, 'y'),
  // The body is greedy and cannot contain `-`: once something else follows, the block is over.
  settlesAtMatchEnd: true,
  continues: (match) =>
    !match.groups?.end && PEM_BODY_CHAR.test(match.input[match.index + match[0].length] ?? ''),
};

/** A key without its END line ends in the newline before the next prompt: leave that visible. */
const trimTrailingSpace = (match: RegExpExecArray, [start, end]: Span): Span => [
  start,
  trimSpaceEnd(match.input, start, end),
];

/** `end` moved back over whitespace, not past `start`. */
export function trimSpaceEnd(text: string, start: number, end: number): number {
  let last = end;
  while (last > start && /\s/.test(text[last - 1] as string)) last--;
  return last;
}

// --- npm -----------------------------------------------------------------------------------------

const npmAccessToken: TokenPattern = {
  ruleId: 'npm',
  name: 'NPM_ACCESS_TOKEN',
  anchor: 'npm_',
  lead: 0,
  reach: 41,
  pattern: /npm_[A-Za-z0-9_]{36}/y,
  secret: whole,
  continuation: TOKEN_CONTINUATION,
};

/** Every index of `needle` in `text` from `from` up to `to` (inclusive). */
function indicesOf(text: string, needle: string, from: number, to: number): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle, Math.max(0, from)); at !== -1 && at <= to;) {
    found.push(at);
    at = text.indexOf(needle, at + 1);
  }
  return found;
}

/** Where an `http(s)://` could start a token that ends at `anchor`: the rule's 256 characters. */
const urlStartsBefore = (text: string, anchor: number) =>
  indicesOf(text, 'http', anchor - 8 - 256, anchor - 1);

const npmXOauthToken: TokenPattern = {
  ruleId: 'npm',
  name: 'PackageJSON_xOauthToken',
  anchor: ':x-oauth-basic@github.com\\/',
  starts: urlStartsBefore,
  lead: 256,
  reach: 26 + 1,
  pattern: /https?:\/\/(.{1,256}):x-oauth-basic@github.com\//dy,
  secret: group(1),
  continuation: TOKEN_CONTINUATION,
};

/** Ours: secretlint checks `_authToken=` only in files named `.npmrc`; `cat ~/.npmrc` leaks too. */
const npmrcAuthToken: TokenPattern = {
  ruleId: 'npm',
  name: 'Npmrc_authToken',
  anchor: '_authToken=',
  lead: 0,
  reach: 11 + 1024 + 1,
  // `${NPM_TOKEN}` is a reference, not a token (secretlint's own exception).
  pattern: /_authToken=([^$\r\n][^\r\n]{0,1023})/dy,
  secret: group(1),
  continuation: TOKEN_CONTINUATION,
};

// --- Slack ---------------------------------------------------------------------------------------

const slackToken: TokenPattern = {
  ruleId: 'slack',
  name: 'SLACK_TOKEN',
  anchor: 'xox[bpaor]-|xapp-',
  lead: 0,
  reach: 5 + 2 + 32 * 41 + 40 + 1,
  pattern:
    /\b(?:xoxb|xoxp|xapp|xoxa|xoxo|xoxr)-(?:\d-)?(?:[a-zA-Z0-9]{1,40}-){1,32}[a-zA-Z0-9]{1,40}\b/y,
  secret: whole,
  continuation: TOKEN_CONTINUATION,
};

const slackWebhook: TokenPattern = {
  ruleId: 'slack',
  name: 'IncomingWebhook',
  anchor: ':\\/\\/[Hh][Oo][Oo][Kk][Ss]\\.[Ss][Ll][Aa][Cc][Kk]\\.',
  lead: 0,
  reach: 3 + 25 + 3 * 41 + 1,
  // The path is the secret: the URL stays readable up to `/services/`.
  pattern:
    /(?<=https):\/\/hooks\.slack\.com\/services\/(T[a-zA-Z0-9]{1,40}\/B[a-zA-Z0-9]{1,40}\/[a-zA-Z0-9]{1,40})/diy,
  secret: group(1),
  continuation: TOKEN_CONTINUATION,
};

// --- credentials in URLs -------------------------------------------------------------------------

/** secretlint-rule-basicauth's placeholders: a URL with these is an example, not a credential. */
const BASIC_AUTH_PLACEHOLDERS = [
  'localhost',
  '127.0.0.1',
  'password',
  'mypassword',
  'myusername',
  '{password}',
  '${password}',
  '{{password}}',
  '{username}',
  '${username}',
  '{{username}}',
  'YOUR_PASSWORD',
  'YOUR_USERNAME',
  'REPLACE_WITH_PASSWORD',
  'REPLACE_WITH_USERNAME',
].map((placeholder) => placeholder.toLowerCase());

const BASIC_AUTH_VARIABLES = [
  /\$\{[^}]{1,50}\}/,
  /\{\{[^}]{1,50}\}\}/,
  /\{[^}]{1,50}\}/,
  /%[A-Z_]{1,30}%/,
  /\$[A-Z_]{1,30}/,
];

function basicAuthUserLooksReal(user: string): boolean {
  if (user.length < 2 || BASIC_AUTH_VARIABLES.some((variable) => variable.test(user))) return false;
  return !BASIC_AUTH_PLACEHOLDERS.some((placeholder) => user.toLowerCase().includes(placeholder));
}

function basicAuthPasswordLooksReal(password: string): boolean {
  if (password.length < 4 || BASIC_AUTH_VARIABLES.some((variable) => variable.test(password)))
    return false;
  const lower = password.toLowerCase();
  if (BASIC_AUTH_PLACEHOLDERS.some((placeholder) => lower.includes(placeholder))) return false;
  return !/^(.)\1{3,}$/.test(password);
}

/**
 * `://` with an `@` before the next `/` or blank: only URLs with credentials. Normal URLs (there
 * are many in build logs) stop the prefilter at their first `/`.
 */
const URL_CREDENTIALS_ANCHOR = String.raw`:\/\/[^\/\s@]{0,520}(?:@|$)`;

const basicAuth: TokenPattern = {
  ruleId: 'basicauth',
  name: 'BasicAuth',
  anchor: URL_CREDENTIALS_ANCHOR,
  lead: 0,
  reach: 3 + 256 + 1 + 256 + 1 + 256 + 1 + 6 + 1,
  pattern:
    /(?<=https?|ftp|ftps):\/\/(?<user>[-a-zA-Z0-9_]{1,256}):(?<password>[-a-zA-Z0-9_]{1,256})@[-a-zA-Z0-9%._+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b/dy,
  secret: (match) => {
    const { user = '', password = '' } = match.groups ?? {};
    if (!basicAuthUserLooksReal(user) || !basicAuthPasswordLooksReal(password)) return null;
    return groups('user', 'password')(match);
  },
  continuation: TOKEN_CONTINUATION,
};

/** secretlint-rule-database-connection-string's placeholders (whole-password matches). */
const DATABASE_PLACEHOLDERS = new Set(
  [
    'localhost',
    '127.0.0.1',
    'example.com',
    'example.org',
    'test.com',
    'password',
    'username',
    'secret',
    'mypassword',
    'myusername',
    'root',
    'admin',
    'user',
    'pass',
    '{password}',
    '${password}',
    '{{password}}',
    '{username}',
    '${username}',
    '{{username}}',
    'YOUR_PASSWORD',
    'YOUR_USERNAME',
    'REPLACE_WITH_PASSWORD',
  ].map((placeholder) => placeholder.toLowerCase()),
);

const DATABASE_VARIABLES = [...BASIC_AUTH_VARIABLES, /\$\([^)]{1,50}\)/];

function databasePasswordLooksReal(password: string): boolean {
  if (password.length < 4 || DATABASE_VARIABLES.some((variable) => variable.test(password)))
    return false;
  if (DATABASE_PLACEHOLDERS.has(password.toLowerCase())) return false;
  return !/^(.)\1{3,}$/.test(password);
}

/** One of the three URI schemes of the database rule (a look-behind: the match starts at `://`). */
function databaseUri(name: string, scheme: string): TokenPattern {
  const credentials = String.raw`(?:(?<username>[^:\/\s]{1,100}):(?<password>[^@\/\s]{1,200})@)?`;
  const rest = String.raw`(?<host>[^\/\s?]{1,100})(?:\/(?<database>[^?\s]{0,100}))?(?:\?(?<options>[^\s]{0,500}))?`;
  return {
    ruleId: 'database-connection-string',
    name,
    anchor: URL_CREDENTIALS_ANCHOR,
    lead: 0,
    reach: 3 + 100 + 1 + 200 + 1 + 100 + 1 + 100 + 1 + 500 + 1,
    pattern: new RegExp(`(?<=${scheme}):\\/\\/${credentials}${rest}`, 'diy'),
    secret: (match) => {
      const { username, password } = match.groups ?? {};
      if (!username || !password || !databasePasswordLooksReal(password)) return null;
      return groups('username', 'password')(match);
    },
    continuation: TOKEN_CONTINUATION,
  };
}

// --- API keys with a fixed shape -----------------------------------------------------------------

/** OpenAI keys start with `sk-` 23 to 85 characters before their `T3BlbkFJ`. */
const openAiStarts = (text: string, anchor: number) =>
  indicesOf(text, 'sk-', anchor - 85, anchor - 23);

const openAi: TokenPattern = {
  ruleId: 'openai',
  name: 'OPENAI_TOKEN',
  // Every OpenAI key carries base64('openai'), a far rarer anchor than `sk-`.
  anchor: 'T3BlbkFJ',
  starts: openAiStarts,
  lead: 85,
  reach: 8 + 74 + 1,
  pattern:
    /sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20}/y,
  secret: whole,
  continuation: TOKEN_CONTINUATION,
};

const anthropic: TokenPattern = {
  ruleId: 'anthropic',
  name: 'ANTHROPIC_API_KEY',
  anchor: 'sk-ant-api0',
  lead: 0,
  reach: 13 + 128 + 2 + 1,
  pattern: /sk-ant-api0\d-[A-Za-z0-9_-]{90,128}AA/y,
  secret: whole,
  continuation: TOKEN_CONTINUATION,
};

const linear: TokenPattern = {
  ruleId: 'linear',
  name: 'LINEAR_API_TOKEN',
  anchor: 'lin_api_',
  lead: 0,
  reach: 8 + 128 + 1,
  pattern: /lin_api_[a-zA-Z0-9_]{32,128}/y,
  secret: whole,
  continuation: TOKEN_CONTINUATION,
};

const SENDGRID_KEY_LENGTH = 69;

const sendgrid: TokenPattern = {
  ruleId: 'sendgrid',
  name: 'SENDGRID_KEY',
  anchor: 'SG\\.',
  lead: 0,
  reach: 3 + 128 + 1 + 128 + 1 + 128 + 1,
  pattern: /(?<![A-Za-z])SG\.\w{1,128}\.\w{1,128}[-_]?\w{1,128}/y,
  // secretlint takes the greedy match and keeps it only when it has exactly a key's length.
  secret: (match) => (match[0].length === SENDGRID_KEY_LENGTH ? whole(match) : null),
  continuation: TOKEN_CONTINUATION,
};

const shopify: TokenPattern = {
  ruleId: 'shopify',
  name: 'SHOPIFY_KEY',
  anchor: 'shp(?:pa|ca|at|ss)_',
  lead: 0,
  reach: 6 + 64 + 1,
  pattern: /(?:shppa|shpca|shpat|shpss)_[a-zA-Z0-9]{32,64}/y,
  secret: whole,
  continuation: TOKEN_CONTINUATION,
};

const githubClassic: TokenPattern = {
  ruleId: 'github',
  name: 'GITHUB_TOKEN',
  anchor: 'gh[pousr]_',
  lead: 0,
  reach: 41,
  pattern: /(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}/y,
  secret: whole,
  continuation: TOKEN_CONTINUATION,
};

const githubFineGrained: TokenPattern = {
  ruleId: 'github',
  name: 'GITHUB_TOKEN',
  anchor: 'github_pat_',
  lead: 0,
  reach: 94,
  pattern: /github_pat_[A-Za-z0-9_]{82}/y,
  secret: whole,
  continuation: TOKEN_CONTINUATION,
};

/** secretlint keeps an `ops_` match only when its base64 decodes to a JSON object. */
function isServiceAccountToken(base64: string): boolean {
  try {
    const json: unknown = JSON.parse(atob(base64.replace(/-/g, '+').replace(/_/g, '/')));
    return typeof json === 'object' && json !== null;
  } catch {
    return false;
  }
}

const onePassword: TokenPattern = {
  ruleId: '1password',
  name: 'OPS_TOKEN',
  anchor: 'ops_ey',
  lead: 0,
  reach: 4 + 2 + 1280 + 2 + 2 + 1,
  pattern: /ops_(ey[A-Za-z0-9+/=]{100,1280}fQ={0,2})/y,
  secret: (match) => (isServiceAccountToken(match[1] ?? '') ? whole(match) : null),
  continuation: TOKEN_CONTINUATION,
};

export const TOKEN_PATTERNS: readonly TokenPattern[] = [
  awsAccessKeyId,
  awsSecretAccessKey,
  awsAccountId,
  privateKey,
  npmAccessToken,
  npmXOauthToken,
  npmrcAuthToken,
  slackToken,
  slackWebhook,
  basicAuth,
  databaseUri('MongoDBConnection', 'mongodb(?:\\+srv)?'),
  // secretlint's optional `jdbc:` before `mysql` changes nothing behind a look-behind.
  databaseUri('MySQLConnection', 'mysqlx?'),
  databaseUri('PostgreSQLConnection', 'postgres(?:ql)?'),
  openAi,
  anthropic,
  linear,
  sendgrid,
  shopify,
  githubClassic,
  githubFineGrained,
  onePassword,
];

/**
 * The preset's rules, by what this file does with each: the parity test compares this with the
 * installed preset, so a rule added upstream is noticed.
 */
export const PRESET_COVERAGE = {
  covered: [...new Set(TOKEN_PATTERNS.map((pattern) => pattern.ruleId))],
  notApplicable: {
    gcp: 'needs a .json or .p12 file; the private key inside is caught by the privatekey pattern',
    'filter-comments': 'secretlint-disable comments are ignored on purpose',
  },
} as const;

/**
 * Visible characters always held back at the end of the data: a secret may start up to `lead`
 * characters before an anchor that has not fully arrived (anchors without a `$` branch are at most
 * 32 characters long).
 */
export const TOKEN_TAIL = Math.max(...TOKEN_PATTERNS.map((pattern) => pattern.lead)) + 32;
