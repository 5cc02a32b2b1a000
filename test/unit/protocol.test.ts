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
  const kind = (c: ReplayCache, id: string, now: number, member = 'iris-a') => c.claim(member, id, now).kind;

  it('refuses an id seen within its lifetime and accepts it again after expiry or release', () => {
    const cache = new ReplayCache(600);
    expect(kind(cache, 'event-0001-aaaaaaaa', 1000)).toBe('new');
    expect(kind(cache, 'event-0001-aaaaaaaa', 1500)).toBe('settled');
    expect(kind(cache, 'event-0001-aaaaaaaa', 1601)).toBe('new');
    cache.release('iris-a', 'event-0001-aaaaaaaa');
    expect(kind(cache, 'event-0001-aaaaaaaa', 1602)).toBe('new');
  });

  it('remembers the answer a claimed id got, and hands a duplicate in flight the first attempt', async () => {
    const cache = new ReplayCache(600);
    cache.settle('iris-a', 'never-claimed-0001', { status: 200, outcome: 'moved' });
    expect(kind(cache, 'never-claimed-0001', 10)).toBe('new');
    cache.track('iris-a', 'never-claimed-0001', Promise.resolve('first answer'));
    const dup = cache.claim<string>('iris-a', 'never-claimed-0001', 11);
    expect(dup.kind).toBe('in-flight');
    if (dup.kind === 'in-flight') expect(await dup.pending).toBe('first answer');
    cache.settle('iris-a', 'never-claimed-0001', { status: 200, outcome: 'moved', to: 'iris-b' });
    expect(cache.claim('iris-a', 'never-claimed-0001', 12)).toEqual({
      kind: 'settled',
      answer: { status: 200, outcome: 'moved', to: 'iris-b' },
    });
  });

  it("stays within its bound per member, dropping that member's oldest entry only", () => {
    const cache = new ReplayCache(600, 3);
    expect(kind(cache, 'b-1', 10, 'iris-b')).toBe('new');
    for (const id of ['a', 'b', 'c', 'd']) expect(kind(cache, id, 10)).toBe('new');
    expect(kind(cache, 'a', 11)).toBe('new');
    expect(kind(cache, 'd', 11)).toBe('settled');
    // ten thousand ids signed with iris-a's key leave iris-b's entry where it was
    for (let i = 0; i < 10_000; i++) kind(cache, `flood-${i}`, 12);
    expect(cache.size('iris-a')).toBe(3);
    expect(kind(cache, 'b-1', 13, 'iris-b')).toBe('settled');
  });
});

describe('signature over raw bytes', () => {
  it('a body whose invalid UTF-8 bytes were swapped after signing no longer matches', () => {
    const signed = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const swapped = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xfe, 0x22, 0x7d]);
    // both decode to the same text (U+FFFD), so a MAC over decoded text could not tell them apart
    expect(signed.toString('utf8')).toBe(swapped.toString('utf8'));
    const header = sign('secret', 'k1', '100', signed);
    expect(signatureMatches('secret', 'k1', '100', signed, header)).toBe(true);
    expect(signatureMatches('secret', 'k1', '100', swapped, header)).toBe(false);
  });

  it('a string body signs as its UTF-8 bytes (the published vectors still hold)', () => {
    expect(sign('s', 'k', '1', 'héllo')).toBe(sign('s', 'k', '1', Buffer.from('héllo', 'utf8')));
  });
});
