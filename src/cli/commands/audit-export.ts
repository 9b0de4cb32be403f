/**
 * `paddock audit search`'s filters, `paddock audit export` and `paddock audit verify --export`.
 * An export reads the store directly, read-only, page by page (it can be larger than any message
 * between processes), and signs its digest with the person's identity when they have one.
 */
import { createHash, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Actor } from '../../shared/audit';
import type { CallInput, PaddockApi } from '../../shared/contract';
import {
  exportDigest,
  exportedEvents,
  signedBytes,
  verifyExport,
  type ExportOptions,
  type ExportReport,
} from '../../main/core/store';
import type { CliContext } from '../context';
import { EXIT, UsageError } from '../output';
import { parseTime } from '../time';

export interface SearchOptions {
  session?: string;
  project?: string;
  kind?: string[];
  actor?: string[];
  since?: string;
  until?: string;
  limit: string;
  json?: boolean;
}

const ACTORS: readonly Actor[] = ['agent', 'person', 'policy', 'system'];

export async function searchInput(
  api: PaddockApi,
  words: readonly string[],
  options: SearchOptions,
): Promise<CallInput<'audit.search'>> {
  const limit = Number.parseInt(options.limit, 10);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new UsageError(`--limit takes a whole number from 1 to 200, not "${options.limit}"`);
  const actors = options.actor ?? [];
  const unknown = actors.find((actor) => !ACTORS.includes(actor as Actor));
  if (unknown) throw new UsageError(`--actor takes ${ACTORS.join(', ')}, not "${unknown}"`);
  const now = new Date();
  return {
    text: words.join(' '),
    limit,
    ...(options.session ? { sessionId: options.session } : {}),
    ...(options.project ? { projectId: await projectId(api, options.project) } : {}),
    ...(options.kind?.length ? { kinds: options.kind } : {}),
    ...(actors.length ? { actors: actors as Actor[] } : {}),
    ...(options.since ? { since: parseTime(options.since, now, '--since') } : {}),
    ...(options.until ? { until: parseTime(options.until, now, '--until') } : {}),
  };
}

/** A project named by its id or its folder. */
async function projectId(api: PaddockApi, named: string): Promise<string> {
  const projects = await api.project.list({});
  const found = projects.find((p) => p.id === named || p.path === resolve(named));
  if (!found) throw new UsageError(`No project ${named}: \`paddock project list\` shows them.`);
  return found.id;
}

export async function writeExport(context: CliContext, options: ExportOptions): Promise<void> {
  const { openPaddock } = await import('../../main/paddock');
  const paddock = openPaddock({ home: context.home, readonly: true });
  try {
    const hash = createHash('sha256');
    let events = 0;
    let firstSeq: number | null = null;
    let lastSeq: number | null = null;
    for (const event of exportedEvents(paddock.store, options)) {
      const line = `${JSON.stringify(event)}\n`;
      hash.update(line);
      if (!process.stdout.write(line))
        await new Promise((done) => process.stdout.once('drain', done));
      events += 1;
      firstSeq ??= event.seq;
      lastSeq = event.seq;
    }
    const digest = exportDigest({ sha256: hash.digest('hex'), events, firstSeq, lastSeq }, options);
    const identity = paddock.identity.current();
    if (identity) {
      const { signature } = await paddock.identity.sign(signedBytes(digest));
      digest.signature = {
        publicKey: identity.publicKey,
        keyid: identity.fingerprint,
        sig: signature.toString('base64'),
      };
    } else
      context.note(
        'The digest is not signed: you have no identity (`paddock identity create NAME`). It still checks the lines.',
      );
    process.stdout.write(`${JSON.stringify(digest)}\n`);
  } finally {
    await paddock.close();
  }
}

/**
 * Checks an export on its own. Anyone can sign an export with a key of their own, so a signature
 * proves who only when the signer is one the person expects: `signers` (fingerprints or public
 * key lines) makes that a condition, and without them the fingerprint is printed to compare.
 */
export async function verifyExportFile(
  context: CliContext,
  file: string,
  options: { json?: boolean; signers?: readonly string[] } = {},
): Promise<number> {
  const { parseOpenSshEd25519 } = await import('../../main/core/identity');
  const expected = (options.signers ?? []).map((signer) =>
    signerFingerprint(signer, parseOpenSshEd25519),
  );
  const text = readFileSync(file, 'utf8');
  const checked = verifyExport(text, (signature, bytes) => {
    try {
      const key = parseOpenSshEd25519(signature.publicKey);
      const ok =
        key.fingerprint === signature.keyid &&
        verify(null, bytes, key.key, Buffer.from(signature.sig, 'base64'));
      return {
        ok,
        signer: `${key.comment || 'unnamed'} (${key.fingerprint})`,
        fingerprint: key.fingerprint,
      };
    } catch {
      return { ok: false, signer: 'an unreadable key', fingerprint: null };
    }
  });
  // The digest is the last line: a signer refused is a problem there.
  const digestLine = text.trimEnd().split('\n').length;
  const report = expected.length ? withExpectedSigner(checked, expected, digestLine) : checked;
  context.print(
    options.json ? JSON.stringify(report, null, 2) : describeExport(file, report, expected),
  );
  return report.ok ? EXIT.ok : EXIT.failed;
}

/** A `--signer`: a fingerprint as `paddock identity show` prints it, or a public key line. */
function signerFingerprint(
  signer: string,
  parse: (line: string) => { fingerprint: string },
): string {
  if (/^SHA256:[A-Za-z0-9+/]{43}$/.test(signer)) return signer;
  try {
    return parse(signer).fingerprint;
  } catch (error) {
    throw new UsageError(
      `--signer takes a key fingerprint (SHA256:…, from paddock identity show) or a public key line (ssh-ed25519 AAAA… name): ${(error as Error).message}`,
    );
  }
}

/** The report failed unless the digest is signed by one of `expected`. */
function withExpectedSigner(
  report: ExportReport,
  expected: readonly string[],
  digestLine: number,
): ExportReport {
  if (!report.ok) return report;
  if (report.signerKey && expected.includes(report.signerKey)) return report;
  const what = report.signedBy
    ? `the digest is signed by ${report.signedBy}, not by the --signer given`
    : 'the digest is not signed, and --signer asks for a signature';
  return { ...report, ok: false, problem: { line: digestLine, what } };
}

function describeExport(file: string, report: ExportReport, expected: readonly string[]): string {
  if (!report.ok && report.problem)
    return `${file} does NOT verify: line ${report.problem.line}: ${report.problem.what}.`;
  return [
    `${file} verifies: ${report.events} events, through ${report.chain}.`,
    !report.signedBy
      ? 'Its digest is not signed (a plain SHA-256 of its lines).'
      : expected.length
        ? `Its digest is signed by ${report.signedBy}, a signer you named.`
        : `Its digest is signed by ${report.signedBy}. Anyone can sign with a key of their own: check that this is the key you expect, or name it with --signer.`,
  ].join('\n');
}
