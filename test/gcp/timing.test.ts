import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { CLOUD_TIMING, timingOf } from '../../shared/config/timing.ts';

// Rule 4: per-cloud default deadlines and function timeouts, a per-mirror override, and deployments that match.
const member = (name: string, zone: string) => ({ name, instance: name, zone, healthUrl: `http://10.0.0.1/${name}` });
const gcpMirror = (extra: Record<string, unknown> = {}) => ({
  name: 'G',
  cloud: 'gcp',
  project: 'iris-prod-123',
  members: [member('iris-a', 'us-east1-b'), member('iris-b', 'us-east1-c')],
  vips: [{ mode: 'alias-ip', cidr: '10.0.0.250/32' }],
  keys: [{ id: 'k1', member: 'iris-a', secret: 'env:K' }],
  ...extra,
});
const awsMirror = {
  name: 'A',
  cloud: 'aws',
  region: 'us-east-1',
  members: ['a', 'b'].map((n, i) => ({
    name: n,
    healthUrl: `http://10.0.0.${i}/`,
    instanceId: `i-0${i}23456789abcdef0`,
    eniId: `eni-0${i}23456789abcdef0`,
  })),
  vips: [{ mode: 'eip', allocationId: 'eipalloc-0123456789abcdef0' }],
  keys: [{ id: 'k2', member: 'a', secret: 'env:K' }],
};
const parse = (doc: unknown) => parseConfig(JSON.stringify(doc));

describe('deadlines: per mirror, with a per-cloud default', () => {
  it('a GCP mirror gets 90 s and an AWS mirror 25 s unless configured; the document deadline is the longest', () => {
    const c = parse({ mirrors: [gcpMirror(), awsMirror] });
    expect(c.mirrors.map((m) => m.deadlineMs)).toEqual([90_000, 25_000]);
    expect(c.deadlineMs).toBe(90_000);
    expect(timingOf(c.mirrors[0] as { cloud: string })).toMatchObject({ operationMs: 20_000, commitGraceMs: 60_000 });
  });

  it('the document deadlineMs applies to every mirror without its own; a mirror’s own wins', () => {
    const c = parse({
      mirrors: [gcpMirror({ deadlineMs: 120_000, operationMs: 15_000 }), awsMirror],
      deadlineMs: 30_000,
    });
    expect(c.mirrors.map((m) => m.deadlineMs)).toEqual([120_000, 30_000]);
    expect(timingOf(c.mirrors[0] as { cloud: string; operationMs?: number }).operationMs).toBe(15_000);
    expect(c.deadlineMs).toBe(30_000);
  });

  it('refuses a deadline out of range, naming the field', () => {
    expect(() => parse({ mirrors: [gcpMirror({ deadlineMs: 10 })] })).toThrow(/mirrors\[0\]\.deadlineMs/);
  });

  it('each cloud’s function timeout covers its deadline, the commit grace and 30 s for the read-back', () => {
    for (const t of Object.values(CLOUD_TIMING)) {
      expect(t.functionTimeoutS * 1000).toBeGreaterThanOrEqual(t.deadlineMs + t.commitGraceMs + 5_000);
    }
  });

  it('the deployments use those timeouts (terraform/gcp both functions, serverless.yml and terraform/aws)', () => {
    const gcp = readFileSync('terraform/gcp/main.tf', 'utf8').match(/timeout_seconds\s*=\s*(\d+)/g) ?? [];
    expect(gcp.map((l) => Number(l.split('=')[1]))).toEqual([
      CLOUD_TIMING.gcp?.functionTimeoutS,
      CLOUD_TIMING.gcp?.functionTimeoutS,
    ]);
    const sls = /\n {2}timeout: (\d+)/.exec(readFileSync('serverless.yml', 'utf8'))?.[1];
    const tfAws = /\n {2}timeout\s*=\s*(\d+)/.exec(readFileSync('terraform/aws/main.tf', 'utf8'))?.[1];
    expect([Number(sls), Number(tfAws)]).toEqual([
      CLOUD_TIMING.aws?.functionTimeoutS,
      CLOUD_TIMING.aws?.functionTimeoutS,
    ]);
  });
});
