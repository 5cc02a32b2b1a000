import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';

export const ROLE = 'mirror-vip-member';
export const ROLE_CREDS = {
  accessKeyId: 'ASIAMEMBERROLE000001',
  secretAccessKey: 'member/role/secret/key/0123456789abcdef',
  sessionToken: 'IQoJb3JpZ2luX2VjEMemberSessionToken',
};

class Sha256 {
  private readonly h;
  constructor(secret?: unknown) {
    this.h = secret ? createHmac('sha256', secret as string) : createHash('sha256');
  }
  update(d: string | Uint8Array) {
    this.h.update(d);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** IMDSv2 on loopback: a token from PUT /latest/api/token, required on every GET; one role with ROLE_CREDS. */
export async function startFakeImds() {
  const token = 'imdsv2-session-token';
  const seen = { tokenPuts: 0, refusedGets: 0 };
  const server = createServer((req, res) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return res.writeHead(400).end();
      seen.tokenPuts++;
      return res.writeHead(200).end(token);
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== token) {
      seen.refusedGets++;
      return res.writeHead(401).end();
    }
    const base = '/latest/meta-data/iam/security-credentials/';
    if (req.url === base) return res.writeHead(200).end(ROLE);
    if (req.url === `${base}${ROLE}`) {
      const c = {
        Code: 'Success',
        AccessKeyId: ROLE_CREDS.accessKeyId,
        SecretAccessKey: ROLE_CREDS.secretAccessKey,
        Token: ROLE_CREDS.sessionToken,
      };
      return res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify(c));
    }
    res.writeHead(404).end();
  });
  const url = await listen(server);
  return { url, seen, close: () => new Promise((r) => server.close(r)) };
}

/** Is this request SigV4-signed (service lambda) by ROLE_CREDS? Re-signs the signed headers and compares. */
async function verifySigV4(req: IncomingMessage, body: Buffer, region: string): Promise<string | undefined> {
  const auth = req.headers.authorization ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/lambda\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return 'missing or malformed SigV4 Authorization';
  const [, keyId, , r, signedHeaders, signature] = m;
  if (keyId !== ROLE_CREDS.accessKeyId || r !== region) return 'unknown credential or region';
  if (req.headers['x-amz-security-token'] !== ROLE_CREDS.sessionToken) return 'bad session token';
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const when = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!(Math.abs(Date.now() - when) < 5 * 60_000)) return 'x-amz-date out of window';
  const names = (signedHeaders ?? '').split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return 'host and x-amz-date must be signed';
  const headers = Object.fromEntries(names.map((n) => [n, String(req.headers[n] ?? '')]));
  const u = new URL(req.url ?? '/', 'http://x');
  const signer = new SignatureV4({ service: 'lambda', region, credentials: ROLE_CREDS, sha256: Sha256 as never });
  const again = await signer.sign(
    {
      method: req.method ?? 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers,
      body,
    },
    { signingDate: new Date(when), signableHeaders: new Set(names) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(again.headers.authorization))?.[1];
  return expected === signature ? undefined : 'signature does not match';
}

/** A function URL with AuthType AWS_IAM: SigV4 verified, then the request goes on to `target`; else 403 as Lambda answers. */
export async function startAwsIamFront(target: string, region = 'us-east-1') {
  const seen = { accepted: 0, refused: [] as string[] };
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    const why = await verifySigV4(req, body, region);
    if (why) {
      seen.refused.push(why);
      return res
        .writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' })
        .end(JSON.stringify({ Message: 'Forbidden' }));
    }
    seen.accepted++;
    const pass = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => k.startsWith('x-mirror-vip') || k === 'content-type'),
    ) as Record<string, string>;
    // the path goes on too (the operator endpoint is <function URL>/operator)
    const answer = await fetch(new URL(req.url ?? '/', target), {
      method: 'POST',
      headers: pass,
      body: new Uint8Array(body),
    });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
  });
  const url = `${await listen(server)}/`;
  return { url, seen, close: () => new Promise((r) => server.close(r)) };
}
