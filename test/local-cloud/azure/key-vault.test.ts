import { request } from 'node:https';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VAULT_AUDIENCE } from '../../../local-cloud/azure/identity.ts';
import { ArmState, type AzureEmulator, startAzureEmulator } from '../../../local-cloud/azure/index.ts';
import {
  GET_SECRET,
  type KeyVaultEmulator,
  MAX_VALUE_BYTES,
  SET_SECRET,
  startKeyVaultEmulator,
} from '../../../local-cloud/azure/key-vault.ts';

// The Key Vault secrets data plane as the REST reference and the error-codes page describe it (docs/emulators.md).
let arm: AzureEmulator;
let kv: KeyVaultEmulator;
const RG = '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-mirror';
const app = { principal: '' };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: { error?: { code: string; message: string; innererror?: { code: string } } } & Record<string, unknown>;
}
function call(method: string, path: string, o: { token?: string; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${kv.url}${path}`,
      {
        method,
        ca: kv.ca,
        headers: {
          'content-type': 'application/json',
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += String(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}
const vaultToken = (oid = app.principal) => arm.issuer.mint('test', VAULT_AUDIENCE, oid).token;

beforeAll(async () => {
  arm = await startAzureEmulator({ state: new ArmState() });
  kv = await startKeyVaultEmulator({ name: 'kv-test', resourceGroupId: RG, issuer: arm.issuer });
  app.principal = arm.identity.principalId;
  kv.grant(app.principal, kv.scopeOf('pause-iris'), [GET_SECRET, SET_SECRET]);
  kv.grant(app.principal, kv.scopeOf('read-only'), [GET_SECRET]);
});
afterAll(async () => {
  await kv?.close();
  await arm?.close();
});

describe('the Key Vault emulator', () => {
  it('answers a request without a token 401 with the challenge the SDK follows (authorization, resource)', async () => {
    const r = await call('GET', '/secrets/pause-iris?api-version=7.4');
    expect(r.status).toBe(401);
    expect(r.json.error?.code).toBe('Unauthorized');
    expect(r.headers['www-authenticate']).toMatch(
      /^Bearer authorization="https:\/\/login\.microsoftonline\.com\/[0-9a-f-]{36}", resource="https:\/\/vault\.azure\.net"$/,
    );
  });

  it('refuses a Resource Manager token (audience), an unknown token, and a request without api-version', async () => {
    const armToken = arm.issueToken();
    const wrongAud = await call('GET', '/secrets/pause-iris?api-version=7.4', { token: armToken });
    expect([wrongAud.status, wrongAud.json.error?.code]).toEqual([401, 'Unauthorized']);
    expect(wrongAud.json.error?.message).toContain('audience');
    const forged = await call('GET', '/secrets/pause-iris?api-version=7.4', { token: 'a.b.c' });
    expect(forged.status).toBe(401);
    const noVersion = await call('GET', '/secrets/pause-iris', { token: vaultToken() });
    expect([noVersion.status, noVersion.json.error?.code]).toEqual([400, 'BadParameter']);
    const badVersion = await call('GET', '/secrets/pause-iris?api-version=1.0', { token: vaultToken() });
    expect([badVersion.status, badVersion.json.error?.code]).toEqual([400, 'BadParameter']);
  });

  it('PUT adds a version, GET returns the latest with its versioned id, a version by id; none yet is SecretNotFound', async () => {
    const missing = await call('GET', '/secrets/pause-iris?api-version=7.4', { token: vaultToken() });
    expect([missing.status, missing.json.error?.code]).toEqual([404, 'SecretNotFound']);
    const put = (value: string) =>
      call('PUT', '/secrets/pause-iris?api-version=7.4', {
        token: vaultToken(),
        body: JSON.stringify({ value, contentType: 'application/json' }),
      });
    const first = await put('one');
    const second = await put('two');
    expect(first.status).toBe(200);
    expect(second.json).toMatchObject({ value: 'two', contentType: 'application/json', attributes: { enabled: true } });
    expect(String(second.json.id)).toMatch(new RegExp(`^${kv.url}/secrets/pause-iris/[0-9a-f]{32}$`));
    const latest = await call('GET', '/secrets/PAUSE-IRIS?api-version=7.4', { token: vaultToken() });
    expect(latest.json).toMatchObject({ value: 'two', id: second.json.id });
    const old = await call('GET', `${new URL(String(first.json.id)).pathname}?api-version=7.4`, {
      token: vaultToken(),
    });
    expect(old.json.value).toBe('one');
    expect(kv.versions('pause-iris')).toEqual(['one', 'two']);
  });

  it('refuses a bad body 400 BadParameter, a value over 25 KB 400, a body over 64 KB 413; nothing written', async () => {
    const before = kv.versions('pause-iris').length;
    for (const body of [
      'not json',
      '{}',
      '{"value":7}',
      '[]',
      '{"value":"x","contentType":7}',
      '{"value":"x","tags":[]}',
    ]) {
      const r = await call('PUT', '/secrets/pause-iris?api-version=7.4', { token: vaultToken(), body });
      expect({ body, status: r.status, code: r.json.error?.code }).toEqual({ body, status: 400, code: 'BadParameter' });
    }
    const big = await call('PUT', '/secrets/pause-iris?api-version=7.4', {
      token: vaultToken(),
      body: JSON.stringify({ value: 'x'.repeat(MAX_VALUE_BYTES + 1) }),
    });
    expect([big.status, big.json.error?.code]).toEqual([400, 'BadParameter']);
    const huge = await call('PUT', '/secrets/pause-iris?api-version=7.4', {
      token: vaultToken(),
      body: JSON.stringify({ value: 'x'.repeat(70_000) }),
    });
    expect(huge.status).toBe(413);
    const badName = await call('PUT', '/secrets/bad_name?api-version=7.4', {
      token: vaultToken(),
      body: '{"value":"x"}',
    });
    expect(badName.status).toBe(400);
    expect(kv.versions('pause-iris').length).toBe(before);
  });

  it('RBAC: 403 Forbidden (ForbiddenByRbac) for another principal, another secret, or set with only get', async () => {
    const other = await call('GET', '/secrets/pause-iris?api-version=7.4', { token: vaultToken('someone-else') });
    expect([other.status, other.json.error?.code, other.json.error?.innererror?.code]).toEqual([
      403,
      'Forbidden',
      'ForbiddenByRbac',
    ]);
    expect(other.json.error?.message).toContain(GET_SECRET);
    const elsewhere = await call('PUT', '/secrets/other-secret?api-version=7.4', {
      token: vaultToken(),
      body: '{"value":"x"}',
    });
    expect(elsewhere.status).toBe(403);
    const readOnly = await call('PUT', '/secrets/read-only?api-version=7.4', {
      token: vaultToken(),
      body: '{"value":"x"}',
    });
    expect([readOnly.status, readOnly.json.error?.message.includes(SET_SECRET)]).toEqual([403, true]);
    expect(kv.versions('other-secret')).toEqual([]);
    expect(kv.versions('read-only')).toEqual([]);
  });

  it('@azure/keyvault-secrets follows the challenge, gets a vault token from the identity endpoint, sets and gets', async () => {
    const { ManagedIdentityCredential } = await import('@azure/identity');
    process.env.IDENTITY_ENDPOINT = arm.identity.endpoint;
    process.env.IDENTITY_HEADER = arm.identity.header;
    try {
      const credential = new ManagedIdentityCredential({ tlsOptions: { ca: arm.ca } });
      const client = new SecretClient(kv.url, credential, {
        disableChallengeResourceVerification: true,
        tlsOptions: { ca: kv.ca },
        retryOptions: { maxRetries: 0 },
      });
      const before = kv.calls.length;
      const set = await client.setSecret('pause-iris', 'three');
      expect(set.properties.version).toMatch(/^[0-9a-f]{32}$/);
      expect((await client.getSecret('pause-iris')).value).toBe('three');
      // one challenge (401, no body), then the set and the get with the app identity's token
      expect(kv.calls.slice(before).map((c) => [c.op, c.status])).toEqual([
        ['SetSecret', 401],
        ['SetSecret', 200],
        ['GetSecret', 200],
      ]);
      expect(kv.calls.at(-1)?.principal).toBe(app.principal);
      // without the documented option, the SDK refuses a challenge whose resource is not the vault's domain
      const strict = new SecretClient(kv.url, credential, {
        tlsOptions: { ca: kv.ca },
        retryOptions: { maxRetries: 0 },
      });
      await expect(strict.getSecret('pause-iris')).rejects.toThrow(/does not match the requested domain/);
    } finally {
      delete process.env.IDENTITY_ENDPOINT;
      delete process.env.IDENTITY_HEADER;
    }
  });
});
