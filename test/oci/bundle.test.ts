import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle } from '../../local-cloud/bundles.ts';
import { serveFdkBundle } from '../../local-cloud/oci/fdk-bundle.ts';
import { invokeDirect, viaGateway } from '../../local-cloud/oci/fn-invoke.ts';
import { type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';

let world: OciWorld;
let fn: Awaited<ReturnType<typeof serveFdkBundle>>;
let coldStartVaultReads: string[] = [];
beforeAll(async () => {
  world = await startOciWorld({ assigningMs: 10 });
  fn = await serveFdkBundle(await ensureBundle('dist/oci/func.mjs'), world.env);
  coldStartVaultReads = world.emu.calls.filter((c) => c.op === 'GetSecretBundle').map((c) => `${c.status} ${c.path}`);
  world.emu.reset();
}, 120_000);
afterAll(async () => {
  await fn?.stop();
  await world?.close();
});

describe('the bundled OCI Function under the real FDK, called over its unix socket as Fn calls it', () => {
  it('reads the Vault secret once at cold start, and the API Gateway request moves the VIP and its public IP', async () => {
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    // iris-b's key lives only in the Vault secret: this request verifies only if the bundle read it
    const r = await viaGateway(fn.socket, world.signedRequest('iris-b'));
    expect(r.status).toBe(200);
    expect(r.headers['fn-fdk-version']).toMatch(/^fdk-node\//);
    expect(JSON.parse(r.text)).toMatchObject({ ok: true, outcome: 'moved', to: 'iris-b' });
    expect(world.privateIpHolder()).toBe('iris-b');
    expect(world.publicIp()).toEqual({ state: 'ASSIGNED', on: 'iris-b' });
    expect(coldStartVaultReads).toEqual([`200 /20190301/secretbundles/${world.seed.secretId}`]);
    expect(world.emu.calls.filter((c) => c.op === 'GetSecretBundle')).toHaveLength(0);
    // the decision is one JSON line on stdout (the function's log)
    const line = fn
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'mirror-vip decision');
    expect(line).toMatchObject({ outcome: 'moved', to: 'iris-b' });
  });

  it('a forged request is refused with the gateway status 401 and no write; a schedule invocation reconciles', async () => {
    const writes = world.writes();
    const forged = await viaGateway(fn.socket, world.signedRequest('iris-b', { secret: 'x'.repeat(43) }));
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.text).error.code).toBe('bad_signature');
    const scheduled = await invokeDirect(fn.socket, JSON.stringify({ kind: 'mirror-vip.reconcile' }));
    expect(JSON.parse(scheduled.text).results.map((x: { outcome: string }) => x.outcome)).toEqual(['unchanged']);
    expect(world.writes()).toBe(writes);
  });

  it('a bad configuration stops the function at cold start, naming the field', async () => {
    const bad = serveFdkBundle(await ensureBundle('dist/oci/func.mjs'), {
      ...world.env,
      MIRROR_VIP_CONFIG:
        world.env.MIRROR_VIP_CONFIG?.replace('"region":"eu-frankfurt-1"', '"region":"Frankfurt"') ?? '',
    });
    await expect(bad).rejects.toThrow(/mirrors\[0\]\.region: must be an OCI region/);
  });
});

/**
 * Stream up to `total` bytes of body to the FDK socket as a gateway request (chunked: no length to refuse it by),
 * stopping when the function answers or closes; resolves with the answer and how many bytes the socket took.
 */
function streamBody(socketPath: string, total: number, length?: number) {
  return new Promise<{ status: number; text: string; sent: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request({
      socketPath,
      path: '/call',
      method: 'POST',
      headers: {
        'Fn-Call-Id': 'big-body',
        'Fn-Intent': 'httprequest',
        'Fn-Http-Method': 'POST',
        'Fn-Http-Request-Url': '/mirror-vip/event',
        'Content-Type': 'application/json',
        ...(length === undefined ? {} : { 'Content-Length': String(length) }),
      },
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: Number(res.headers['fn-http-status']), text: Buffer.concat(chunks).toString(), sent }),
      );
    });
    req.on('error', (e) => (answered ? undefined : reject(e)));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!answered && !req.destroyed && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (sent >= total) req.end();
    };
    pump();
  });
}

describe('the OCI Function reads no body past its cap (the FDK alone would buffer all of it)', () => {
  it('a 1 GB gateway body streamed without a length: 413 typed, and the socket took only a few MB of it', async () => {
    const r = await streamBody(fn.socket, 1024 ** 3);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text)).toMatchObject({ ok: false, error: { code: 'body_too_large' } });
    expect(r.sent).toBeLessThan(32 * 1024 * 1024);
  }, 60_000);

  it('a gateway body declared at 1 GB is refused before any of it is read; the function still serves events', async () => {
    const r = await streamBody(fn.socket, 1024 ** 3, 1024 ** 3);
    expect(r.status).toBe(413);
    expect(r.sent).toBeLessThan(32 * 1024 * 1024);
    world.members.set('iris-a', 'primary');
    world.members.set('iris-b', 'backup');
    const ok = await viaGateway(fn.socket, world.signedRequest('iris-a'));
    expect(JSON.parse(ok.text)).toMatchObject({ ok: true });
  }, 60_000);
});
