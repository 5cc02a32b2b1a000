import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  crc32c,
  MAX_PAYLOAD_BYTES,
  type SecretManagerEmulator,
  startSecretManagerEmulator,
} from '../../local-cloud/gcp/secret-manager.ts';
import { ProviderError, TransientError } from '../../shared/errors.ts';
import { secretManagerReader, secretManagerSlot } from '../../shared/providers/gcp/secret-manager.ts';

// The Secret Manager emulator refusing what the REST v1 reference refuses, and the provider's pause slot over it.
const SECRET = 'projects/demo-project/secrets/mirror-vip-pause-IRISMIRROR';
let emu: SecretManagerEmulator;
beforeAll(async () => {
  emu = await startSecretManagerEmulator();
  emu.createSecret(SECRET);
});
afterAll(() => emu?.close());

const post = async (path: string, body: string) => {
  const res = await fetch(`${emu.url}/v1/${path}`, { method: 'POST', body });
  return { status: res.status, json: (await res.json()) as { error?: { status: string; message: string } } };
};
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('the Secret Manager emulator', () => {
  it('refuses a bad addVersion with 400 INVALID_ARGUMENT (Google’s error shape) and adds nothing', async () => {
    const before = emu.versions(SECRET).length;
    for (const body of [
      'not json',
      '{}',
      '{"payload":{}}',
      '{"payload":{"data":""}}',
      '{"payload":{"data":"%%%"}}',
      `{"payload":{"data":"${b64('x')}","extra":1}}`,
      `{"payload":{"data":"${b64('x')}"},"secret":"y"}`,
      `{"payload":{"data":"${b64(Buffer.alloc(MAX_PAYLOAD_BYTES + 1))}"}}`,
      `{"payload":{"data":"${b64('x')}","dataCrc32c":"${crc32c(Buffer.from('y'))}"}}`,
    ]) {
      const r = await post(`${SECRET}:addVersion`, body);
      expect({ body: body.slice(0, 60), status: r.status, code: r.json.error?.status }).toEqual({
        body: body.slice(0, 60),
        status: 400,
        code: 'INVALID_ARGUMENT',
      });
    }
    expect(emu.versions(SECRET).length).toBe(before);
  });

  it('accepts exactly 64 KiB, and a matching dataCrc32c; answers the SecretVersion', async () => {
    const max = Buffer.alloc(MAX_PAYLOAD_BYTES, 7);
    const r = await post(`${SECRET}:addVersion`, JSON.stringify({ payload: { data: b64(max) } }));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ name: expect.stringMatching(`^${SECRET}/versions/\\d+$`), state: 'ENABLED' });
    const crc = crc32c(Buffer.from('ok'));
    const c = await post(`${SECRET}:addVersion`, JSON.stringify({ payload: { data: b64('ok'), dataCrc32c: crc } }));
    expect([c.status, emu.versions(SECRET).at(-1)]).toEqual([200, 'ok']);
  });

  it('404 NOT_FOUND for an unknown secret (addVersion, access) or version; unknown routes 404; bodies bounded (413)', async () => {
    const add = await post(
      'projects/demo-project/secrets/nope:addVersion',
      JSON.stringify({ payload: { data: 'eA==' } }),
    );
    expect([add.status, add.json.error?.status]).toEqual([404, 'NOT_FOUND']);
    const get = (p: string) =>
      fetch(`${emu.url}/v1/${p}`).then(async (r) => [r.status, (await r.json()).error?.status]);
    expect(await get('projects/demo-project/secrets/nope/versions/latest:access')).toEqual([404, 'NOT_FOUND']);
    expect(await get(`${SECRET}/versions/999:access`)).toEqual([404, 'NOT_FOUND']);
    expect(await get(`${SECRET}/versions/first:access`)).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await get(`${SECRET}`)).toEqual([404, 'NOT_FOUND']);
    expect(await get('projects/demo-project/secrets/%E0%A4%A/versions/latest:access')).toEqual([
      400,
      'INVALID_ARGUMENT',
    ]);
    expect(await get('projects/demo-project/secrets')).toEqual([404, 'NOT_FOUND']);
    const big = await fetch(`${emu.url}/v1/${SECRET}:addVersion`, { method: 'POST', body: 'x'.repeat(300_000) });
    expect(big.status).toBe(413);
  });
});

describe('the provider’s pause slot (secretManagerSlot) on the emulator', () => {
  const fresh = 'projects/demo-project/secrets/slot-test';
  it('reads null before any version, then the latest version written; the reader still reads keys', async () => {
    emu.createSecret(fresh);
    const slot = secretManagerSlot({ baseUrl: emu.url });
    expect(await slot.read(fresh)).toBeNull();
    await slot.write(fresh, '{"paused":false}');
    await slot.write(fresh, '{"paused":true}\n');
    expect(await slot.read(fresh)).toBe('{"paused":true}\n');
    expect(emu.versions(fresh)).toEqual(['{"paused":false}', '{"paused":true}\n']);
    expect(await secretManagerReader({ baseUrl: emu.url })(`${fresh}/versions/1`)).toBe('{"paused":false}');
  });

  it('errors are typed and name the secret: unknown secret on write (ProviderError), service down (TransientError)', async () => {
    const slot = secretManagerSlot({ baseUrl: emu.url });
    const missing = 'projects/demo-project/secrets/not-created';
    await expect(slot.write(missing, 'x')).rejects.toThrow(ProviderError);
    await expect(slot.write(missing, 'x')).rejects.toThrow(`${missing} failed: HTTP 404`);
    await expect(slot.read('projects/demo-project/secrets/a/b')).rejects.toThrow('not a secret name');
    emu.faults.unavailable = true;
    try {
      await expect(slot.read(fresh)).rejects.toThrow(TransientError);
      await expect(slot.write(fresh, 'x')).rejects.toThrow('HTTP 503');
    } finally {
      emu.faults.unavailable = false;
    }
    const closed = await startSecretManagerEmulator();
    await closed.close();
    const gone = secretManagerSlot({ baseUrl: closed.url, timeoutMs: 500 });
    await expect(gone.read(fresh)).rejects.toThrow(TransientError);
  });
});
