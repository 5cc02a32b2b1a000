import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { arrivedCall, type RestCall } from '../recorded-call.ts';
import { readCapped } from '../request-body.ts';
import { selfSignedCert } from './cert.ts';
import { type IdentityEndpoint, TENANT_ID, VAULT_AUDIENCE } from './identity.ts';

/** The two data actions the pause needs (Azure RBAC for Key Vault; docs/emulators.md cites them). */
export const GET_SECRET = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';
export const SET_SECRET = 'Microsoft.KeyVault/vaults/secrets/setSecret/action';

/** A secret's value is at most 25 KB (about-secrets); a body beyond this is refused before it is parsed. */
export const MAX_VALUE_BYTES = 25 * 1024;
const MAX_BODY_BYTES = 64 * 1024;
const NAME = /^[0-9a-zA-Z-]{1,127}$/;
// 7.0–7.6 and the dated versions (2025-07-01, the SDK's 2026-04-01); anything else is refused
const API_VERSION = /^(7\.[0-6]|20\d\d-\d\d-\d\d)(-preview(\.\d+)?)?$/;

export interface KeyVaultCall extends RestCall {
  errorCode?: string;
  principal?: string;
}
interface Version {
  version: string;
  value: string;
  contentType?: string;
  created: number;
}
interface Grant {
  principalId: string;
  scope: string;
  dataActions: string[];
}

export interface KeyVaultOptions {
  /** The vault's name, as in https://<name>.vault.azure.net. */
  name: string;
  /** The resource group's ARM id the vault lives in (the RBAC scopes hang under it). */
  resourceGroupId: string;
  /** The token issuer whose Key Vault tokens this vault accepts (the ARM emulator's identity endpoint). */
  issuer: IdentityEndpoint;
}

class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly inner?: string,
  ) {
    super(message);
  }
}

/** One Azure Key Vault's secrets data plane over HTTPS: get / set with versions, challenge auth and RBAC. */
export async function startKeyVaultEmulator(o: KeyVaultOptions) {
  const { key: tlsKey, cert, certFile } = selfSignedCert();
  const secrets = new Map<string, { name: string; versions: Version[] }>();
  const grants: Grant[] = [];
  const calls: KeyVaultCall[] = [];
  const vaultId = `${o.resourceGroupId}/providers/Microsoft.KeyVault/vaults/${o.name}`;
  const scopeOf = (name: string) => `${vaultId}/secrets/${name}`;
  const t0 = performance.now();
  let base = '';

  const allowed = (principal: string, action: string, scope: string) =>
    grants.some(
      (g) =>
        g.principalId === principal &&
        (scope.toLowerCase() === g.scope.toLowerCase() ||
          scope.toLowerCase().startsWith(`${g.scope.toLowerCase()}/`)) &&
        g.dataActions.some((a) => a === action || (a.endsWith('/*') && action.startsWith(a.slice(0, -1)))),
    );

  const bundle = (name: string, v: Version) => ({
    value: v.value,
    ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
    id: `${base}/secrets/${name}/${v.version}`,
    attributes: {
      enabled: true,
      created: v.created,
      updated: v.created,
      recoveryLevel: 'Recoverable+Purgeable',
      recoverableDays: 90,
    },
  });

  const addVersion = (name: string, value: string, contentType?: string): Version & { name: string } => {
    const v = { version: randomUUID().replaceAll('-', ''), value, contentType, created: Math.floor(Date.now() / 1000) };
    // names are case-insensitive; the id keeps the name the secret was created with
    const s = secrets.get(name.toLowerCase()) ?? { name, versions: [] };
    s.versions.push(v);
    secrets.set(name.toLowerCase(), s);
    return { ...v, name: s.name };
  };

  const authenticate = (req: IncomingMessage, rec: KeyVaultCall): string => {
    const auth = req.headers.authorization;
    if (!auth) throw new VaultError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.');
    const claims = o.issuer.claims(auth);
    if (!claims)
      throw new VaultError(401, 'Unauthorized', 'AKV10022: Invalid token: the token was not issued to this tenant.');
    if (claims.aud.replace(/\/$/, '') !== VAULT_AUDIENCE)
      throw new VaultError(
        401,
        'Unauthorized',
        `AKV10022: Invalid audience. Expected ${VAULT_AUDIENCE}, found: ${claims.aud}.`,
      );
    rec.principal = claims.oid;
    return claims.oid;
  };

  const route = async (req: IncomingMessage, url: URL, rec: KeyVaultCall): Promise<unknown> => {
    const m = /^\/secrets\/([^/]+)(?:\/([0-9a-f]{32}))?\/?$/i.exec(url.pathname);
    if (!m?.[1]) throw new VaultError(404, 'NotFound', `The requested resource ${url.pathname} was not found.`);
    const [, name, version] = m as unknown as [string, string, string | undefined];
    const write = req.method === 'PUT' && !version;
    if (req.method !== 'GET' && !write)
      throw new VaultError(405, 'MethodNotAllowed', `${req.method} is not allowed here.`);
    rec.op = write ? 'SetSecret' : 'GetSecret';
    rec.write = write;
    // the challenge comes first: the SDK's first request carries neither token nor body
    const principal = authenticate(req, rec);
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) throw new VaultError(400, 'BadParameter', 'The api-version query parameter is required.');
    if (!API_VERSION.test(apiVersion))
      throw new VaultError(400, 'BadParameter', `The specified version (${apiVersion}) is not recognized.`);
    if (!NAME.test(name))
      throw new VaultError(400, 'BadParameter', `Invalid secret name ${name}: use 0-9, a-z, A-Z and -.`);
    const scope = scopeOf(name);
    const action = write ? SET_SECRET : GET_SECRET;
    if (!allowed(principal, action, scope))
      throw new VaultError(
        403,
        'Forbidden',
        `Caller is not authorized to perform action on resource.\r\nCaller: oid=${principal}\r\nAction: '${action}'\r\nResource: '${scope.toLowerCase()}'\r\nAssignment: (not found)\r\nVault: ${o.name};location=eastus2\r\n`,
        'ForbiddenByRbac',
      );
    if (!write) {
      const s = secrets.get(name.toLowerCase());
      const versions = s?.versions ?? [];
      const v = version ? versions.find((x) => x.version === version) : versions.at(-1);
      if (!v)
        throw new VaultError(
          404,
          'SecretNotFound',
          `A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
        );
      return bundle(s?.name ?? name, v);
    }
    const body = parseSetBody(
      await readCapped(
        req,
        MAX_BODY_BYTES,
        () => new VaultError(413, 'RequestEntityTooLarge', 'The request body is too large.'),
      ),
    );
    const added = addVersion(name, body.value, body.contentType);
    return bundle(added.name, added);
  };

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-ms-request-id': randomUUID(),
      'x-ms-keyvault-service-version': '1.9.0.0',
      ...headers,
    });
    res.end(JSON.stringify(body));
  };

  const server = https.createServer({ key: tlsKey, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const rec: KeyVaultCall = arrivedCall(req.method, url.pathname, t0);
    calls.push(rec);
    route(req, url, rec).then(
      (out) => {
        Object.assign(rec, { status: 200, endedAt: performance.now() - t0 });
        answer(res, 200, out);
      },
      (e: unknown) => {
        const err = e instanceof VaultError ? e : new VaultError(500, 'InternalServerError', String(e));
        Object.assign(rec, { status: err.status, errorCode: err.code, endedAt: performance.now() - t0 });
        // the challenge every 401 carries: where to get a token, and for which resource
        const challenge: Record<string, string> =
          err.status === 401
            ? {
                'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${TENANT_ID}", resource="${VAULT_AUDIENCE}"`,
              }
            : {};
        const error = {
          code: err.code,
          message: err.message,
          ...(err.inner ? { innererror: { code: err.inner } } : {}),
        };
        answer(res, err.status, { error }, challenge);
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  base = `https://127.0.0.1:${port}`;
  return {
    url: base,
    name: o.name,
    /** The versionless secret id a real deployment would use (the SDK reaches it here through the endpoint override). */
    secretRef: (name: string) => `https://${o.name}.vault.azure.net/secrets/${name}`,
    /** The ARM id of a secret: the scope of a role assignment on it alone. */
    scopeOf,
    vaultId,
    ca: cert,
    caFile: certFile,
    calls,
    /** Grant a principal data actions at a scope (the vault, or one secret's id), as a role assignment would. */
    grant: (principalId: string, scope: string, dataActions: string[]) =>
      grants.push({ principalId, scope, dataActions }),
    revokeAll: () => {
      grants.length = 0;
    },
    /** Write a version as the deployment (terraform) would, outside RBAC and the call log. */
    seed: (name: string, value: string) => addVersion(name, value).version,
    /** Every version's text of a secret, oldest first. */
    versions: (name: string) => (secrets.get(name.toLowerCase())?.versions ?? []).map((v) => v.value),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type KeyVaultEmulator = Awaited<ReturnType<typeof startKeyVaultEmulator>>;

/** The Set Secret body: `value` (a string, at most 25 KB), optional `contentType` (≤ 255), `tags`, `attributes`. */
function parseSetBody(text: string): { value: string; contentType?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VaultError(400, 'BadParameter', 'The request body is not valid JSON.');
  }
  const b = (json ?? {}) as Record<string, unknown>;
  if (typeof json !== 'object' || Array.isArray(json) || typeof b.value !== 'string')
    throw new VaultError(400, 'BadParameter', 'Property value is required and must be a string.');
  if (Buffer.byteLength(b.value) > MAX_VALUE_BYTES)
    throw new VaultError(400, 'BadParameter', `The secret value exceeds the maximum size of ${MAX_VALUE_BYTES} bytes.`);
  if (b.contentType !== undefined && (typeof b.contentType !== 'string' || b.contentType.length > 255))
    throw new VaultError(400, 'BadParameter', 'Property contentType must be a string of at most 255 characters.');
  for (const f of ['tags', 'attributes'] as const)
    if (b[f] !== undefined && (typeof b[f] !== 'object' || b[f] === null || Array.isArray(b[f])))
      throw new VaultError(400, 'BadParameter', `Property ${f} must be an object.`);
  return { value: b.value, ...(b.contentType !== undefined ? { contentType: b.contentType as string } : {}) };
}
