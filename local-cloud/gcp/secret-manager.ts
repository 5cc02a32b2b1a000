import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RestCall } from '../recorded-call.ts';
import { readCapped } from '../request-body.ts';

/**
 * Secret Manager REST v1, the calls mirror-vip and `gcloud secrets versions add|access|list` make
 * (https://cloud.google.com/secret-manager/docs/reference/rest): versions.access, secrets.addVersion and
 * versions.list on secrets that exist first (terraform creates them; `createSecret` here).
 */
export interface SecretManagerEmulator {
  url: string;
  /** Version names read through `…:access`, as requested (`…/versions/latest`). */
  reads: string[];
  calls: RestCall[];
  /** While true every call answers 503 UNAVAILABLE (Secret Manager down). */
  faults: { unavailable: boolean };
  /** Create a secret with no version (`projects/P/secrets/S`). */
  createSecret(name: string): void;
  /** Add a version as addVersion does; returns its number. */
  addVersion(name: string, data: string | Buffer): number;
  /** The texts of a secret's versions, oldest first. */
  versions(name: string): string[];
  close(): Promise<void>;
}

/** SecretPayload.data "must be no larger than 64KiB". */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** The base64 of 64 KiB plus JSON around it; past this the body is refused unread. */
const MAX_BODY_BYTES = 128 * 1024;
const SECRET = /^projects\/([^/]+)\/secrets\/([A-Za-z0-9_-]{1,255})$/;
const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;

interface Version {
  data: Buffer;
  crc32c: number;
  createTime: string;
  clientChecksum: boolean;
}

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  /** Google's JSON error shape (https://cloud.google.com/apis/design/errors). */
  toJSON() {
    return { error: { code: this.status, message: this.message, status: this.code } };
  }
}
/** A path segment decoded; a malformed escape becomes a name every check refuses (400), never a crash. */
const decoded = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return '\u0000';
  }
};
const tooLarge = () => new ApiFailure(413, 'INVALID_ARGUMENT', 'Request payload size exceeds the limit.');
const invalid = (m: string) => new ApiFailure(400, 'INVALID_ARGUMENT', m);
const notFound = (m: string) => new ApiFailure(404, 'NOT_FOUND', m);

const CRC32C = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
/** CRC32C (Castagnoli), the checksum Secret Manager keeps with each version. */
export function crc32c(data: Buffer): number {
  let c = 0xffffffff;
  for (const b of data) c = (CRC32C[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** AddSecretVersionRequest: `{payload: {data, dataCrc32c?}}`, unknown fields refused as the JSON transcoder does. */
function parsePayload(raw: string): { data: Buffer; crc?: number } {
  let body: unknown;
  try {
    body = JSON.parse(raw || '{}');
  } catch {
    throw invalid('Invalid JSON payload received.');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('Invalid JSON payload received.');
  const extra = Object.keys(body).find((k) => k !== 'payload');
  if (extra) throw invalid(`Invalid JSON payload received. Unknown name "${extra}": Cannot find field.`);
  const payload = (body as { payload?: unknown }).payload;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw invalid('Field [payload] is required.');
  const p = payload as Record<string, unknown>;
  const unknownField = Object.keys(p).find((k) => k !== 'data' && k !== 'dataCrc32c');
  if (unknownField) throw invalid(`Invalid JSON payload received. Unknown name "${unknownField}" at 'payload'.`);
  if (typeof p.data !== 'string' || !BASE64.test(p.data))
    throw invalid("Invalid value at 'payload.data' (TYPE_BYTES), Base64 decoding failed.");
  const data = Buffer.from(p.data, p.data.includes('-') || p.data.includes('_') ? 'base64url' : 'base64');
  // proto3 drops empty bytes, so an empty secret arrives as no payload (terraform-provider-google#10475)
  if (data.length === 0) throw invalid('Field [payload] is required.');
  if (data.length > MAX_PAYLOAD_BYTES) throw invalid(`Secret Payload cannot exceed ${MAX_PAYLOAD_BYTES} bytes.`);
  if (p.dataCrc32c === undefined) return { data };
  const crc = Number(p.dataCrc32c);
  if (!Number.isInteger(crc) || crc < 0 || crc > 0xffffffff)
    throw invalid("Invalid value at 'payload.data_crc32c' (TYPE_INT64).");
  if (crc !== crc32c(data)) throw invalid('Checksum mismatch: the data does not match payload.data_crc32c.');
  return { data, crc };
}

/** Starts the emulator on 127.0.0.1 with any free port. */
export async function startSecretManagerEmulator(): Promise<SecretManagerEmulator> {
  const secrets = new Map<string, Version[]>();
  const reads: string[] = [];
  const calls: RestCall[] = [];
  const faults = { unavailable: false };

  const secretOf = (name: string) => {
    const versions = secrets.get(name);
    if (!versions) throw notFound(`Secret [${name}] not found.`);
    return versions;
  };
  const add = (name: string, data: Buffer, crc?: number) => {
    const versions = secretOf(name);
    versions.push({
      data,
      crc32c: crc ?? crc32c(data),
      createTime: new Date().toISOString(),
      clientChecksum: crc !== undefined,
    });
    return versions.length;
  };
  const versionJson = (name: string, n: number, v: Version) => ({
    name: `${name}/versions/${n}`,
    createTime: v.createTime,
    state: 'ENABLED',
    replicationStatus: { automatic: {} },
    etag: `"${v.createTime}"`,
    clientSpecifiedPayloadChecksum: v.clientChecksum,
  });

  const access = (name: string, version: string) => {
    reads.push(`${name}/versions/${version}`);
    const versions = secrets.get(name);
    if (!versions) throw notFound(`Secret [${name}] not found or has no versions.`);
    if (version !== 'latest' && !/^[1-9]\d{0,9}$/.test(version))
      throw invalid(`Invalid version [${version}]: a version number or "latest".`);
    const n = version === 'latest' ? versions.length : Number(version);
    const v = versions[n - 1];
    if (!v)
      throw notFound(
        version === 'latest'
          ? `Secret [${name}] not found or has no versions.`
          : `Secret Version [${name}/versions/${version}] not found.`,
      );
    return {
      name: `${name}/versions/${n}`,
      payload: { data: v.data.toString('base64'), dataCrc32c: String(v.crc32c) },
    };
  };
  const list = (name: string) => {
    const versions = secretOf(name);
    const out = versions.map((v, i) => versionJson(name, i + 1, v)).reverse();
    return { versions: out, totalSize: out.length };
  };

  /** The operation a request names (recorded even when it fails) and how to answer it. */
  const route = (method: string, path: string): [string, (req: http.IncomingMessage) => unknown] => {
    const m =
      /^\/v1\/(projects\/[^/]+\/secrets\/[^/:]+)(?:\/versions\/([^/:]+):access|(:addVersion)|(\/versions))?$/.exec(
        path,
      );
    const name = decoded(m?.[1] ?? '');
    const checked = () => {
      if (!SECRET.test(name)) throw invalid(`Invalid resource name [${name}].`);
      return name;
    };
    if (m && method === 'GET' && m[2]) return ['versions.access', () => access(checked(), decoded(m[2] ?? ''))];
    if (m && method === 'POST' && m[3])
      return [
        'secrets.addVersion',
        async (req) => {
          const secret = checked();
          const { data, crc } = parsePayload(await readCapped(req, MAX_BODY_BYTES, tooLarge));
          const n = add(secret, data, crc);
          return versionJson(secret, n, secretOf(secret)[n - 1] as Version);
        },
      ];
    if (m && method === 'GET' && m[4]) return ['versions.list', () => list(checked())];
    return [
      'unknown',
      () => {
        throw notFound(`Not Found: ${method} ${path}`);
      },
    ];
  };

  const server = http.createServer(async (req, res) => {
    const startedAt = performance.now();
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const [op, answer] = route(method, path);
    let [status, payload]: [number, unknown] = [200, undefined];
    try {
      if (faults.unavailable) throw new ApiFailure(503, 'UNAVAILABLE', 'The service is currently unavailable.');
      payload = await answer(req);
    } catch (e: unknown) {
      const err = e instanceof ApiFailure ? e : new ApiFailure(500, 'INTERNAL', 'Internal error encountered.');
      [status, payload] = [err.status, err.toJSON()];
    }
    const close = status === 413 ? { connection: 'close' } : {};
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...close }).end(JSON.stringify(payload));
    const write = op === 'secrets.addVersion';
    calls.push({ method, path, op, write, startedAt, endedAt: performance.now(), status });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    reads,
    calls,
    faults,
    createSecret(name) {
      if (!SECRET.test(name)) throw new Error(`not a secret name: ${name}`);
      if (!secrets.has(name)) secrets.set(name, []);
    },
    addVersion: (name, data) => add(name, Buffer.isBuffer(data) ? data : Buffer.from(data)),
    versions: (name) => (secrets.get(name) ?? []).map((v) => v.data.toString('utf8')),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
