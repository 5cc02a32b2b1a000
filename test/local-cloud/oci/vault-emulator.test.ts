import { createHash, sign } from 'node:crypto';
import * as common from 'oci-common';
import { SecretsClient } from 'oci-secrets';
import { models, VaultsClient } from 'oci-vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_BUNDLE_BYTES,
  type OciEmulator,
  signingString,
  startOciEmulator,
  testKeyPair,
} from '../../../local-cloud/oci/index.ts';
import { NO_SDK_RETRY } from '../../../shared/providers/oci/oci-sdk.ts';
import { vaultSecretSlot } from '../../../shared/providers/oci/vault.ts';
import { ociFailure } from '../../support/expect-error.ts';

// The emulator's Vault as the real SDK clients see it: UpdateSecret (oci-vault, management API /20180608) adds a
// version that GetSecretBundle (oci-secrets, retrieval API /20190301) then serves as CURRENT.
const key = testKeyPair();
const SECRET = 'ocid1.vaultsecret.oc1.eu-frankfurt-1.aaaapausetest';
let emu: OciEmulator;
let vaults: VaultsClient;
let secrets: SecretsClient;
const auth = () => {
  const [tenancy, user, fp] = key.keyId.split('/') as [string, string, string];
  return new common.SimpleAuthenticationDetailsProvider(tenancy, user, fp, key.privateKey, null);
};

const failure = ociFailure;
const content = (text: string, stage?: models.SecretContentDetails.Stage) => ({
  contentType: models.Base64SecretContentDetails.contentType,
  content: Buffer.from(text).toString('base64'),
  ...(stage ? { stage } : {}),
});
const current = async () => {
  const b = (await secrets.getSecretBundle({ secretId: SECRET })).secretBundle;
  const c = (b.secretBundleContent as { content: string }).content;
  return { version: b.versionNumber, stages: b.stages, text: Buffer.from(c, 'base64').toString('utf8') };
};

beforeAll(async () => {
  emu = await startOciEmulator({ keys: { [key.keyId]: key.publicKey }, secrets: { [SECRET]: 'v1' } });
  vaults = new VaultsClient({ authenticationDetailsProvider: auth() }, NO_SDK_RETRY);
  vaults.endpoint = emu.url;
  secrets = new SecretsClient({ authenticationDetailsProvider: auth() }, NO_SDK_RETRY);
  secrets.endpoint = emu.url;
});
afterAll(async () => emu.close());

describe('OCI emulator: Vault UpdateSecret and GetSecretBundle', () => {
  it('the SDK clients use two hosts: vaults.<region> (management) and secrets.vaults.<region> (retrieval)', () => {
    const m = new VaultsClient({ authenticationDetailsProvider: auth() });
    m.regionId = 'eu-frankfurt-1';
    const r = new SecretsClient({ authenticationDetailsProvider: auth() });
    r.regionId = 'eu-frankfurt-1';
    expect([m.endpoint, r.endpoint]).toEqual([
      'https://vaults.eu-frankfurt-1.oci.oraclecloud.com/20180608',
      'https://secrets.vaults.eu-frankfurt-1.oci.oraclecloud.com/20190301',
    ]);
  });

  it('UpdateSecret with secretContent adds a version that becomes CURRENT; the Secret comes back with an etag', async () => {
    expect(await current()).toEqual({ version: 1, stages: ['CURRENT', 'LATEST'], text: 'v1' });
    const r = await vaults.updateSecret({ secretId: SECRET, updateSecretDetails: { secretContent: content('v2') } });
    expect(r.secret).toMatchObject({ id: SECRET, currentVersionNumber: 2, lifecycleState: 'ACTIVE' });
    expect(r.etag).toBeTruthy();
    expect(await current()).toEqual({ version: 2, stages: ['CURRENT', 'LATEST'], text: 'v2' });
    // earlier versions keep their numbers and stay readable by number
    const v1 = (await secrets.getSecretBundle({ secretId: SECRET, versionNumber: 1 })).secretBundle;
    expect([v1.versionNumber, v1.stages]).toEqual([1, ['PREVIOUS']]);
    const put = emu.calls.filter((c) => c.op === 'UpdateSecret').at(-1);
    expect(put).toMatchObject({ method: 'PUT', path: `/20180608/secrets/${SECRET}`, status: 200, write: false });
  });

  it('a PENDING version is added but not CURRENT; currentVersionNumber promotes it; not both at once', async () => {
    const pending = await vaults.updateSecret({
      secretId: SECRET,
      updateSecretDetails: { secretContent: content('v3', models.SecretContentDetails.Stage.Pending) },
    });
    expect(pending.secret.currentVersionNumber).toBe(2);
    expect((await current()).text).toBe('v2');
    expect(
      await failure(
        vaults.updateSecret({
          secretId: SECRET,
          updateSecretDetails: { secretContent: content('v4'), currentVersionNumber: 3 },
        }),
      ),
    ).toEqual({ status: 400, code: 'InvalidParameter' });
    await vaults.updateSecret({ secretId: SECRET, updateSecretDetails: { currentVersionNumber: 3 } });
    expect(await current()).toEqual({ version: 3, stages: ['CURRENT', 'LATEST'], text: 'v3' });
    expect(emu.secrets.versions(SECRET)).toEqual(['v1', 'v2', 'v3']);
  });

  it('if-match: the etag UpdateSecret returned passes once; a stale one is 412 NoEtagMatch, nothing added', async () => {
    const first = await vaults.updateSecret({ secretId: SECRET, updateSecretDetails: { secretContent: content('a') } });
    await vaults.updateSecret({
      secretId: SECRET,
      ifMatch: first.etag,
      updateSecretDetails: { secretContent: content('b') },
    });
    const n = emu.secrets.versions(SECRET).length;
    expect(
      await failure(
        vaults.updateSecret({
          secretId: SECRET,
          ifMatch: first.etag,
          updateSecretDetails: { secretContent: content('c') },
        }),
      ),
    ).toEqual({ status: 412, code: 'NoEtagMatch' });
    expect(emu.secrets.versions(SECRET)).toHaveLength(n);
  });

  it('refuses what OCI refuses: an unknown secret (404), bad content (400), over 25 KB (400); nothing added', async () => {
    const n = emu.secrets.versions(SECRET).length;
    const unknown = 'ocid1.vaultsecret.oc1.eu-frankfurt-1.aaaanone';
    expect(
      await failure(vaults.updateSecret({ secretId: unknown, updateSecretDetails: { secretContent: content('x') } })),
    ).toEqual({ status: 404, code: 'NotAuthorizedOrNotFound' });
    expect(await failure(secrets.getSecretBundle({ secretId: unknown }))).toEqual({
      status: 404,
      code: 'NotAuthorizedOrNotFound',
    });
    const bad = [
      {},
      { secretContent: { contentType: 'BASE64' } },
      { secretContent: { contentType: 'BASE64', content: '' } },
      { secretContent: { contentType: 'BASE64', content: 'not base64!' } },
      { secretContent: { contentType: 'PLAIN', content: 'eA==' } },
      { secretContent: { ...content('x'), stage: 'DEPRECATED' } },
      { secretContent: content('x'.repeat((MAX_BUNDLE_BYTES / 4) * 3 + 1)) },
    ];
    for (const details of bad) {
      const r = await failure(vaults.updateSecret({ secretId: SECRET, updateSecretDetails: details as never }));
      expect({ details, ...r }).toEqual({ details, status: 400, code: 'InvalidParameter' });
    }
    // exactly 25 KB of bundle content is accepted
    const max = 'y'.repeat((MAX_BUNDLE_BYTES / 4) * 3);
    await vaults.updateSecret({ secretId: SECRET, updateSecretDetails: { secretContent: content(max) } });
    expect(emu.secrets.versions(SECRET)).toHaveLength(n + 1);
  });

  it('refuses a PUT whose signature does not cover the body, or whose body is not the one signed (401)', async () => {
    const n = emu.secrets.versions(SECRET).length;
    const path = `/20180608/secrets/${SECRET}`;
    const body = JSON.stringify({ secretContent: content('forged') });
    const h: Record<string, string> = {
      'x-date': new Date().toUTCString(),
      host: new URL(emu.url).host,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'x-content-sha256': createHash('sha256').update(body).digest('base64'),
    };
    const put = async (names: string[], sent: string) => {
      const sig = sign('RSA-SHA256', Buffer.from(signingString('PUT', path, h, names)), key.privateKey);
      const authorization = `Signature version="1",keyId="${key.keyId}",algorithm="rsa-sha256",headers="${names.join(' ')}",signature="${sig.toString('base64')}"`;
      const res = await fetch(`${emu.url}${path}`, { method: 'PUT', headers: { ...h, authorization }, body: sent });
      return [res.status, ((await res.json()) as { code: string }).code];
    };
    const all = ['x-date', '(request-target)', 'host', 'content-type', 'content-length', 'x-content-sha256'];
    expect(await put(['x-date', '(request-target)', 'host'], body)).toEqual([401, 'NotAuthenticated']);
    // the same length (content-length still true), other bytes: the signed x-content-sha256 does not match
    expect(await put(all, body.replace(content('forged').content, content('faked!').content))).toEqual([
      401,
      'NotAuthenticated',
    ]);
    expect(emu.secrets.versions(SECRET)).toHaveLength(n);
    expect(await put(all, body)).toEqual([200, undefined]);
    expect(emu.secrets.versions(SECRET).at(-1)).toBe('forged');
  });

  it("the provider's slot reads the CURRENT text and writes a version with one UpdateSecret, no SDK retry", async () => {
    const slot = vaultSecretSlot({
      auth: auth(),
      region: 'eu-frankfurt-1',
      endpoint: emu.url,
      managementEndpoint: emu.url,
    });
    await slot.write(SECRET, '{"paused":false,"by":"ops","since":"2026-12-02T03:00:00Z"}');
    expect(await slot.read(SECRET)).toBe('{"paused":false,"by":"ops","since":"2026-12-02T03:00:00Z"}');
    emu.faults.failures = { remaining: 1, ops: ['UpdateSecret'] };
    const before = emu.calls.filter((c) => c.op === 'UpdateSecret').length;
    await expect(slot.write(SECRET, 'x')).rejects.toThrow(
      /UpdateSecret ocid1\.vaultsecret\.\S+ failed: 500 InternalServerError/,
    );
    expect(emu.calls.filter((c) => c.op === 'UpdateSecret').length - before).toBe(1);
    expect(await slot.read(SECRET)).toMatch(/"by":"ops"/);
  });
});
