import net from 'node:net';
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

/** The fields of a raw HTTP/1.1 answer: Fn-Http-Status and the body (chunked transfer decoded). */
function parseAnswer(raw: Buffer): { status: number; text: string } | undefined {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = text.slice(0, end).toLowerCase();
  const status = Number(/\r\nfn-http-status: *(\d+)/.exec(head)?.[1] ?? Number.NaN);
  let body = text.slice(end + 4);
  if (/\r\ntransfer-encoding: *chunked/.test(head)) {
    let out = '';
    for (;;) {
      const nl = body.indexOf('\r\n');
      const size = Number.parseInt(body.slice(0, nl), 16);
      if (nl < 0 || !(size > 0)) break;
      out += body.slice(nl + 2, nl + 2 + size);
      body = body.slice(nl + 2 + size + 2);
    }
    body = out;
  }
  return { status, text: Buffer.from(body, 'latin1').toString('utf8') };
}

/**
 * Stream up to `total` bytes of body to the FDK socket as a gateway request (chunked: no length to refuse it by),
 * over a raw socket, stopping when the function answers or closes; resolves with the answer and how many bytes the
 * socket took. Raw, because node's HTTP client drops an answer that arrives while it is still writing and the server
 * then closes (EPIPE): the answer is what is under test, so every byte the function sent is kept.
 */
function streamBody(socketPath: string, total: number, length?: number) {
  return new Promise<{ status: number; text: string; sent: number }>((resolve, reject) => {
    let sent = 0;
    const received: Buffer[] = [];
    const socket = net.connect(socketPath);
    const headers = [
      'POST /call HTTP/1.1',
      'Host: localhost',
      'Fn-Call-Id: big-body',
      'Fn-Intent: httprequest',
      'Fn-Http-Method: POST',
      'Fn-Http-Request-Url: /mirror-vip/event',
      'Content-Type: application/json',
      length === undefined ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`,
    ];
    const chunked = length === undefined;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const framed = chunked
      ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
      : chunk;
    const answered = () => parseAnswer(Buffer.concat(received)) !== undefined;
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', () => undefined); // EPIPE/ECONNRESET once the function has answered and closed: expected
    socket.on('close', () => {
      const answer = parseAnswer(Buffer.concat(received));
      if (answer) resolve({ ...answer, sent });
      else reject(new Error(`the function closed without an answer after ${sent} bytes`));
    });
    const pump = () => {
      while (!answered() && !socket.destroyed && sent < total) {
        sent += chunk.length;
        if (!socket.write(framed)) return void socket.once('drain', pump);
      }
      if (answered()) socket.end();
    };
    socket.once('connect', () => {
      socket.write(`${headers.join('\r\n')}\r\n\r\n`);
      pump();
    });
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
