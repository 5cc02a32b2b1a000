import { randomBytes } from 'node:crypto';
import { invalid, notFound, staleEtag } from './errors.ts';

/** "The maximum allowable size for a secret bundle is 25 KB" (Vault docs, Updating a Secret's Content). */
export const MAX_BUNDLE_BYTES = 25 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const VAULT = 'ocid1.vault.oc1.eu-frankfurt-1.aaaavaultmirrorvip';
const KEY = 'ocid1.key.oc1.eu-frankfurt-1.aaaakeymirrorvip';
const COMPARTMENT = 'ocid1.compartment.oc1..aaaamirrorvip';
const CREATED = '2026-11-01T00:00:00.000Z';

interface Version {
  number: number;
  text: string;
  pending: boolean;
}
interface SecretRecord {
  id: string;
  versions: Version[];
  current: number;
  previous?: number;
  etag: string;
}

const newEtag = () => randomBytes(8).toString('hex');

/**
 * The Vault secrets of one tenancy: numbered versions per secret OCID, one of them CURRENT. Served as the retrieval
 * API's GetSecretBundle (/20190301) and the management API's UpdateSecret (/20180608).
 */
export class VaultSecrets {
  private readonly store = new Map<string, SecretRecord>();

  constructor(initial: Record<string, string> = {}) {
    for (const [id, text] of Object.entries(initial)) this.set(id, text);
  }

  /** A new CURRENT version holding `text` (the secret is created with version 1 when it does not exist). */
  set(id: string, text: string): void {
    const s = this.store.get(id);
    if (!s) {
      this.store.set(id, { id, versions: [{ number: 1, text, pending: false }], current: 1, etag: newEtag() });
      return;
    }
    this.addVersion(s, text, false);
  }

  /** The CURRENT version's text. */
  get(id: string): string | undefined {
    const s = this.store.get(id);
    return s?.versions.find((v) => v.number === s.current)?.text;
  }

  /** Every version's text, oldest first. */
  versions(id: string): string[] {
    return (this.store.get(id)?.versions ?? []).map((v) => v.text);
  }

  private secret(id: string): SecretRecord {
    const s = this.store.get(id);
    if (!s) throw notFound(id);
    return s;
  }

  private addVersion(s: SecretRecord, text: string, pending: boolean) {
    const number = (s.versions.at(-1)?.number ?? 0) + 1;
    s.versions.push({ number, text, pending });
    if (!pending) [s.previous, s.current] = [s.current, number];
    s.etag = newEtag();
  }

  /** GetSecretBundle: the CURRENT version, or the one named by `versionNumber` or `stage`. */
  bundle(id: string, q: URLSearchParams) {
    const s = this.secret(id);
    const n = q.get('versionNumber');
    const stage = n === null ? (q.get('stage') ?? 'CURRENT') : undefined;
    const v = s.versions.find((x) => (n !== null ? String(x.number) === n : this.stages(s, x).includes(stage ?? '')));
    if (!v) throw notFound(`${id} version ${n ?? stage}`);
    return {
      secretId: id,
      versionNumber: v.number,
      stages: this.stages(s, v),
      timeCreated: CREATED,
      secretBundleContent: { contentType: 'BASE64', content: Buffer.from(v.text).toString('base64') },
    };
  }

  private stages(s: SecretRecord, v: Version): string[] {
    return [
      ...(v.number === s.current ? ['CURRENT'] : []),
      ...(v.pending && v.number !== s.current ? ['PENDING'] : []),
      ...(v.number === s.previous ? ['PREVIOUS'] : []),
      ...(v === s.versions.at(-1) ? ['LATEST'] : []),
    ];
  }

  /**
   * UpdateSecret with UpdateSecretDetails: `secretContent` (BASE64, optional stage CURRENT | PENDING) adds a version,
   * `currentVersionNumber` promotes an existing one; not both (the API reference: "can't be specified at the same
   * time"). `if-match` is checked against the secret's etag.
   */
  update(id: string, body: Record<string, unknown>, ifMatch: string | undefined) {
    const s = this.secret(id);
    if (ifMatch !== undefined && ifMatch !== s.etag) throw staleEtag();
    const { secretContent: content, currentVersionNumber: promote } = body;
    if (content !== undefined && promote !== undefined)
      throw invalid('secretContent and currentVersionNumber cannot be updated at the same time');
    if (promote !== undefined) {
      const v = s.versions.find((x) => x.number === promote);
      if (!v) throw invalid(`secret ${id} has no version ${JSON.stringify(promote)}`);
      if (v.number !== s.current) [s.previous, s.current, v.pending] = [s.current, v.number, false];
      s.etag = newEtag();
      return this.view(s);
    }
    const text = decodeContent(content);
    const stage = (content as { stage?: unknown }).stage ?? 'CURRENT';
    if (stage !== 'CURRENT' && stage !== 'PENDING')
      throw invalid(`secretContent.stage must be CURRENT or PENDING, got ${JSON.stringify(stage)}`);
    this.addVersion(s, text, stage === 'PENDING');
    return this.view(s);
  }

  /** The Secret as UpdateSecret returns it, and its etag. */
  view(s: SecretRecord) {
    return {
      etag: s.etag,
      json: {
        id: s.id,
        compartmentId: COMPARTMENT,
        vaultId: VAULT,
        keyId: KEY,
        secretName: s.id.split('.').pop(),
        currentVersionNumber: s.current,
        lifecycleState: 'ACTIVE',
        timeCreated: CREATED,
      },
    };
  }
}

/** secretContent as UpdateSecret accepts it: `{contentType: "BASE64", content}`, valid base64 within 25 KB. */
function decodeContent(content: unknown): string {
  if (typeof content !== 'object' || content === null || Array.isArray(content))
    throw invalid('secretContent (or currentVersionNumber) is required');
  const c = content as { contentType?: unknown; content?: unknown };
  if (c.contentType !== 'BASE64')
    throw invalid(`secretContent.contentType must be BASE64, got ${JSON.stringify(c.contentType)}`);
  if (typeof c.content !== 'string' || c.content === '' || !BASE64.test(c.content))
    throw invalid('secretContent.content must be base64-encoded and not empty');
  if (c.content.length > MAX_BUNDLE_BYTES)
    throw invalid(`secret content is ${c.content.length} bytes; a secret bundle is at most ${MAX_BUNDLE_BYTES}`);
  return Buffer.from(c.content, 'base64').toString('utf8');
}
