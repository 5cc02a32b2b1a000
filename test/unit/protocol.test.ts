import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MirrorVipError } from '../../shared/errors.ts';
import { ReplayCache } from '../../shared/protocol/replay-cache.ts';
import { sign, signatureMatches, signingString } from '../../shared/protocol/signature.ts';
import { verifyRequest } from '../../shared/protocol/verify.ts';

interface Vectors {
  signing: { name: string; secret: string; keyId: string; timestamp: string; body: string; signature: string }[];
  verifying: {
    now: number;
    toleranceSeconds: number;
    keys: { id: string; secret: string }[];
    cases: { name: string; body: string; headers: Record<string, string>; verdict: string }[];
  };
}
const vectors = JSON.parse(readFileSync(new URL('../vectors/protocol-v1.json', import.meta.url), 'utf8')) as Vectors;

describe('protocol v1 signature', () => {
  it.each(vectors.signing)('reproduces the vector "$name"', (v) => {
    expect(sign(v.secret, v.keyId, v.timestamp, v.body)).toBe(v.signature);
  });

  it('agrees with an independent HMAC (openssl) on the first vector', () => {
    const v = vectors.signing[0];
    if (!v) throw new Error('no vectors');
    const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', v.secret, '-hex'], {
      input: signingString(v.keyId, v.timestamp, v.body),
    }).toString();
    expect(`v1=${out.trim().split(' ').pop()}`).toBe(v.signature);
  });

  it('refuses signatures of the wrong shape without comparing', () => {
    const v = vectors.signing[0];
    if (!v) throw new Error('no vectors');
    for (const bad of [
      '',
      'v1=',
      v.signature.toUpperCase(),
      `${v.signature}00`,
      v.signature.slice(3),
      `v2=${v.signature.slice(3)}`,
    ]) {
      expect(signatureMatches(v.secret, v.keyId, v.timestamp, v.body, bad)).toBe(false);
    }
  });
});

describe('protocol v1 verification', () => {
  const { now, toleranceSeconds } = vectors.verifying;
  const keys = new Map(vectors.verifying.keys.map((k) => [k.id, { ...k, mirror: 'IRISMIRROR', member: 'iris-b' }]));

  it.each(vectors.verifying.cases)('"$name" → $verdict', (c) => {
    const run = () => verifyRequest({ rawBody: c.body, headers: c.headers, nowSeconds: now, keys, toleranceSeconds });
    if (c.verdict === 'ok') {
      expect(run().event.member).toBe('iris-b');
      return;
    }
    expect(run).toThrow(MirrorVipError);
    try {
      run();
    } catch (e: unknown) {
      expect((e as MirrorVipError).code).toBe(c.verdict);
      expect((e as MirrorVipError).status).toBeGreaterThanOrEqual(400);
      expect((e as MirrorVipError).status).toBeLessThan(500);
    }
  });
});

describe('replay cache', () => {
  it('refuses an id seen within its lifetime and accepts it again after expiry or release', () => {
    const cache = new ReplayCache(600);
    expect(cache.claim('event-0001-aaaaaaaa', 1000)).toBe(true);
    expect(cache.claim('event-0001-aaaaaaaa', 1500)).toBe(false);
    expect(cache.claim('event-0001-aaaaaaaa', 1601)).toBe(true);
    cache.release('event-0001-aaaaaaaa');
    expect(cache.claim('event-0001-aaaaaaaa', 1602)).toBe(true);
  });

  it('remembers the answer a claimed id got, and forgets it with the id', () => {
    const cache = new ReplayCache(600);
    cache.settle('never-claimed-0001', { status: 200, outcome: 'moved' });
    expect(cache.answerOf('never-claimed-0001')).toBeUndefined();
    cache.claim('event-0002-bbbbbbbb', 10);
    cache.settle('event-0002-bbbbbbbb', { status: 200, outcome: 'moved', to: 'iris-b' });
    expect(cache.answerOf('event-0002-bbbbbbbb')).toEqual({ status: 200, outcome: 'moved', to: 'iris-b' });
    cache.release('event-0002-bbbbbbbb');
    expect(cache.answerOf('event-0002-bbbbbbbb')).toBeUndefined();
  });

  it('stays within its bound, dropping the oldest entry', () => {
    const cache = new ReplayCache(600, 3);
    for (const id of ['a', 'b', 'c', 'd']) expect(cache.claim(id, 10)).toBe(true);
    expect(cache.claim('a', 11)).toBe(true);
    expect(cache.claim('d', 11)).toBe(false);
  });
});
