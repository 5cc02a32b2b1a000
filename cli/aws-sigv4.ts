import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** Credentials of the instance role, as IMDSv2 hands them out. */
export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** SignatureV4 wants a hash constructor; node's crypto is enough. */
class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret
      ? createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer))
      : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(typeof data === 'string' ? data : Buffer.from(data as Uint8Array));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

async function bounded(url: string, init: RequestInit, timeoutMs: number): Promise<string> {
  const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  const text = (await res.text()).slice(0, 8192);
  if (!res.ok) throw new Error(`instance metadata answered HTTP ${res.status} for ${new URL(url).pathname}`);
  return text;
}

/**
 * The instance role's credentials from IMDSv2 (token first, then the role, then its keys). The endpoint is the
 * SDK's own override, AWS_EC2_METADATA_SERVICE_ENDPOINT, else 169.254.169.254.
 */
export async function imdsCredentials(
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<RoleCredentials> {
  const base = (env.AWS_EC2_METADATA_SERVICE_ENDPOINT || 'http://169.254.169.254').replace(/\/$/, '');
  const token = await bounded(
    `${base}/latest/api/token`,
    { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '300' } },
    timeoutMs,
  );
  const h = { headers: { 'x-aws-ec2-metadata-token': token } };
  const path = `${base}/latest/meta-data/iam/security-credentials/`;
  const role = (await bounded(path, h, timeoutMs)).split('\n')[0]?.trim();
  if (!role) throw new Error('the instance has no role (instance metadata lists no security credentials)');
  const c = JSON.parse(await bounded(`${path}${encodeURIComponent(role)}`, h, timeoutMs)) as Record<string, string>;
  if (!c.AccessKeyId || !c.SecretAccessKey) throw new Error(`instance metadata gave no keys for role ${role}`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.Token };
}

/** The region of a function URL (https://<id>.lambda-url.<region>.on.aws/), else AWS_REGION. */
export function regionOf(url: string, env: Record<string, string | undefined>): string {
  const m = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(new URL(url).hostname);
  const region = m?.[1] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('cannot tell the region: not a lambda-url host and AWS_REGION is not set');
  return region;
}

/** The SigV4 headers (service lambda) for a POST of `body` to a function URL with AuthType AWS_IAM. */
export async function sigv4Headers(
  url: string,
  headers: Record<string, string>,
  body: string,
  creds: RoleCredentials,
  region: string,
): Promise<Record<string, string>> {
  const u = new URL(url);
  const signer = new SignatureV4({ service: 'lambda', region, credentials: creds, sha256: Sha256 });
  const query = Object.fromEntries(u.searchParams.entries());
  const signed = await signer.sign({
    method: 'POST',
    protocol: u.protocol,
    hostname: u.hostname,
    port: u.port ? Number(u.port) : undefined,
    path: u.pathname,
    query,
    headers: { ...headers, host: u.host, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') },
    body,
  });
  const out = { ...(signed.headers as Record<string, string>) };
  delete out.host; // fetch sets it from the URL
  return out;
}
