import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';
import { serveFunctionUrl } from '../../local-cloud/lambda-url.ts';
import { type AwsWorld, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import { startAwsIamFront, startFakeImds } from '../support/aws-iam-front.ts';
import { notifyArgs } from '../support/cli.ts';

const run = promisify(execFile);
let world: AwsWorld;
let fn: Awaited<ReturnType<typeof serveFunctionUrl>>;
let front: Awaited<ReturnType<typeof startAwsIamFront>>;
let imds: Awaited<ReturnType<typeof startFakeImds>>;
let keyFile: string;

beforeAll(async () => {
  world = await startAwsWorld();
  fn = await serveFunctionUrl(world.handler);
  front = await startAwsIamFront(fn.url);
  imds = await startFakeImds();
  keyFile = join(mkdtempSync(join(tmpdir(), 'mirror-vip-sigv4-')), 'iris-b.key');
  writeFileSync(keyFile, `${world.secrets['iris-b']}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await Promise.all([front.close(), imds.close(), fn.close()]);
  await world.close();
});
beforeEach(() => {
  world.members.set('iris-a', 'down');
  world.members.set('iris-b', 'primary');
});

const NOTIFIERS = [
  ['the Python notifier', 'python3', [join(ROOT, 'iris/mirror_vip_notify.py')]],
  ['the CLI', process.execPath, [join(ROOT, 'bin/mirror-vip.mjs'), 'notify']],
] as const;

const send = (cmd: string, pre: readonly string[], auth: string) =>
  run(cmd, [...pre, ...notifyArgs(front.url, keyFile), '--auth', auth, '--deadline', '20', '--json'], {
    env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url, AWS_REGION: 'us-east-1' },
    cwd: '/',
  }).then(
    (r) => ({ code: 0, out: JSON.parse(r.stdout) }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: JSON.parse(e.stdout || '{}') }),
  );

describe('AWS_IAM function URL: SigV4 from the instance role (IMDSv2)', () => {
  it.each(NOTIFIERS)(
    '%s signs with the role from IMDSv2; the front verifies it and the VIP moves',
    async (_n, cmd, pre) => {
      const before = { accepted: front.seen.accepted, tokens: imds.seen.tokenPuts };
      const r = await send(cmd, pre, 'aws-sigv4');
      expect(front.seen.refused.slice(-1)).not.toEqual(['signature does not match']);
      expect(r.code).toBe(0);
      expect(r.out).toMatchObject({ ok: true, status: 200 });
      expect(['moved', 'unchanged']).toContain(r.out.response.outcome);
      expect(front.seen.accepted).toBe(before.accepted + 1);
      expect(imds.seen.tokenPuts).toBe(before.tokens + 1); // IMDSv2: a session token first
      expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    },
  );

  it.each(NOTIFIERS)(
    '%s without SigV4 is refused by the front (exit 1, 403), and nothing reaches the function',
    async (_n, cmd, pre) => {
      const accepted = front.seen.accepted;
      const r = await send(cmd, pre, 'none');
      expect(r.code).toBe(1);
      expect(r.out.status).toBe(403);
      expect(front.seen.accepted).toBe(accepted);
    },
  );
});
