/**
 * A certificate authority that lives for one session and only in memory. The proxy uses it to
 * terminate TLS for hosts whose rules ask for inspection: the sandbox trusts this CA (and only
 * this session's), and the proxy presents a leaf for the host the CONNECT named.
 */
import { AsnParser, AsnSerializer, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509';
import { createHash, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { canonicalHost, hostText, type CanonicalIp, type CanonicalName } from './hostname';

export interface LeafCertificate {
  /** The leaf certificate, PEM. */
  cert: string;
  /** The leaf's private key, PKCS#8 PEM; shared by every leaf of one CA. */
  key: string;
}

export interface SessionCa {
  /** The CA certificate, PEM: what the sandbox is told to trust. */
  readonly certPem: string;
  /**
   * A leaf for one host, made on first use and cached. A string is canonicalised first, so
   * 'Example.COM.' and 'example.com' share a leaf; an invalid host is rejected.
   */
  leafFor(host: CanonicalName | CanonicalIp | string): Promise<LeafCertificate>;
}

const OID_COMMON_NAME = '2.5.4.3';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
// Backdated so a sandbox whose clock runs a little behind still accepts the certificates.
const BACKDATE_MS = HOUR_MS;
const CA_LIFETIME_MS = 30 * DAY_MS;
const LEAF_LIFETIME_MS = 7 * DAY_MS;
// X.520 ub-common-name: a longer CN is not valid, so such a leaf names its host only in the SAN.
const MAX_COMMON_NAME = 64;
// Hosts come from the agent (within the allowlist); the cache must not grow without bound.
const MAX_CACHED_LEAVES = 1000;

const LEAF_RENEW_BEFORE_MS = DAY_MS;

const generateEcKeyPair = promisify(generateKeyPair);

interface CachedLeaf {
  leaf: Promise<LeafCertificate>;
  renewAt: number;
}

interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** A public key as certificates carry it, parsed once per key rather than once per certificate. */
interface PublicKeyInfo {
  spki: SubjectPublicKeyInfo;
  keyId: ArrayBuffer;
}

interface Issuer {
  name: Name;
  keyId: ArrayBuffer;
  privateKey: KeyObject;
}

export async function createSessionCa(label: string): Promise<SessionCa> {
  const [caKeys, leafKeys] = await Promise.all([newKeyPair(), newKeyPair()]);
  // The label is cut so the CN stays within the 64 characters a CN may have.
  const room = MAX_COMMON_NAME - 'Paddock session CA ()'.length;
  const caName = commonName(`Paddock session CA (${label.slice(0, room)})`);
  const caKey = publicKeyInfo(caKeys.publicKey);
  const issuer: Issuer = { name: caName, keyId: caKey.keyId, privateKey: caKeys.privateKey };
  const certPem = issue(issuer, {
    subject: caName,
    publicKey: caKey,
    lifetimeMs: CA_LIFETIME_MS,
    extensions: caExtensions(caKey.keyId),
  });
  // One leaf key for every host: generating a key per host would cost far more than signing.
  const leafPublic = publicKeyInfo(leafKeys.publicKey);
  const leafKey = leafKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cache = new Map<string, CachedLeaf>();

  const leafFor = (input: CanonicalName | CanonicalIp | string): Promise<LeafCertificate> => {
    const host = typeof input === 'string' ? canonicalHost(input) : input;
    if (host.kind === 'invalid') return Promise.reject(new Error(`invalid host: ${host.reason}`));
    const cacheKey = `${host.kind}:${hostText(host)}`;
    const cached = cache.get(cacheKey);
    // A session may outlive a leaf: one close to its end is made again.
    if (cached && cached.renewAt > Date.now()) return cached.leaf;
    cache.delete(cacheKey);
    if (cache.size >= MAX_CACHED_LEAVES) cache.delete(cache.keys().next().value ?? '');
    // Signing is synchronous; the promise only lets concurrent callers share one result.
    const leaf = Promise.resolve().then(() => ({
      cert: issueLeaf(issuer, host, leafPublic),
      key: leafKey,
    }));
    cache.set(cacheKey, { leaf, renewAt: Date.now() + LEAF_LIFETIME_MS - LEAF_RENEW_BEFORE_MS });
    leaf.catch(() => cache.delete(cacheKey));
    return leaf;
  };
  return { certPem, leafFor };
}

function issueLeaf(
  issuer: Issuer,
  host: CanonicalName | CanonicalIp,
  publicKey: PublicKeyInfo,
): string {
  const text = hostText(host);
  const san =
    host.kind === 'name'
      ? new GeneralName({ dNSName: text })
      : new GeneralName({ iPAddress: text });
  const named = text.length <= MAX_COMMON_NAME;
  return issue(issuer, {
    subject: named ? commonName(text) : new Name([]),
    publicKey,
    lifetimeMs: LEAF_LIFETIME_MS,
    // With an empty subject the SAN must be critical (RFC 5280 4.2.1.6).
    extensions: leafExtensions(issuer.keyId, publicKey.keyId, san, !named),
  });
}

interface CertificateSpec {
  subject: Name;
  publicKey: PublicKeyInfo;
  lifetimeMs: number;
  extensions: Extension[];
}

function issue(issuer: Issuer, spec: CertificateSpec): string {
  const now = Date.now();
  const signatureAlgorithm = new AlgorithmIdentifier({ algorithm: OID_ECDSA_WITH_SHA256 });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialNumber(),
    signature: signatureAlgorithm,
    issuer: issuer.name,
    validity: new Validity({
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + spec.lifetimeMs),
    }),
    subject: spec.subject,
    subjectPublicKeyInfo: spec.publicKey.spki,
    extensions: new Extensions(spec.extensions),
  });
  const tbsDer = Buffer.from(AsnSerializer.serialize(tbs));
  // Node's ECDSA signature is DER (r, s), exactly what X.509's signatureValue holds.
  const signature = sign('sha256', tbsDer, issuer.privateKey);
  const certificate = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm,
    signatureValue: toArrayBuffer(signature),
  });
  return toPem(Buffer.from(AsnSerializer.serialize(certificate)));
}

function caExtensions(keyId: ArrayBuffer): Extension[] {
  return [
    extension(
      id_ce_basicConstraints,
      true,
      new BasicConstraints({ cA: true, pathLenConstraint: 0 }),
    ),
    extension(
      id_ce_keyUsage,
      true,
      new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign),
    ),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId)),
  ];
}

function leafExtensions(
  issuerKeyId: ArrayBuffer,
  keyId: ArrayBuffer,
  san: GeneralName,
  sanCritical: boolean,
): Extension[] {
  return [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
    extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
    extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth])),
    extension(id_ce_subjectAltName, sanCritical, new SubjectAlternativeName([san])),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId)),
    extension(
      id_ce_authorityKeyIdentifier,
      false,
      new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(issuerKeyId) }),
    ),
  ];
}

function extension(extnID: string, critical: boolean, value: object): Extension {
  return new Extension({
    extnID,
    critical,
    extnValue: new OctetString(AsnSerializer.serialize(value)),
  });
}

function commonName(value: string): Name {
  const attribute = new AttributeTypeAndValue({
    type: OID_COMMON_NAME,
    value: new AttributeValue({ utf8String: value }),
  });
  return new Name([new RelativeDistinguishedName([attribute])]);
}

function newKeyPair(): Promise<KeyPair> {
  return generateEcKeyPair('ec', { namedCurve: 'prime256v1' });
}

function publicKeyInfo(publicKey: KeyObject): PublicKeyInfo {
  const spki = AsnParser.parse(
    publicKey.export({ type: 'spki', format: 'der' }),
    SubjectPublicKeyInfo,
  );
  // RFC 5280 4.2.1.2 method 1: the key identifier is the SHA-1 of the subjectPublicKey bits.
  const keyId = createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest();
  return { spki, keyId: toArrayBuffer(keyId) };
}

/**
 * 16 random bytes, positive and minimally encoded: the top bit clear (a set bit would make
 * the DER INTEGER negative) and the next one set (a leading zero octet would not be minimal).
 */
function serialNumber(): ArrayBuffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return toArrayBuffer(bytes);
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
