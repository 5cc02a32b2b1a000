import { describe, expect, it } from 'vitest';
import {
  decodePause,
  deploymentPauseStore,
  encodePause,
  PAUSE_SECRETS_ENV,
  PAUSED_ENV,
  pauseSecretsFromEnv,
  type SecretSlot,
} from '../../shared/config/paused.ts';
import type { Config } from '../../shared/config/schema.ts';
import { MirrorVipError } from '../../shared/errors.ts';

// The pause layer GCP, Azure and OCI share: the deployment's MIRROR_VIP_PAUSED over one pause secret per mirror.
const config = { mirrors: [{ name: 'IRISMIRROR' }, { name: 'OTHER' }] } as unknown as Config;
const REF = /^vault:[a-z]+$/;

/** An in-memory secret store: versions per reference, every write counted. */
function memorySlot(initial: Record<string, string> = {}) {
  const versions = new Map<string, string[]>(Object.entries(initial).map(([k, v]) => [k, [v]]));
  const slot: SecretSlot = {
    read: async (ref) => versions.get(ref)?.at(-1) ?? null,
    write: async (ref, text) => {
      versions.set(ref, [...(versions.get(ref) ?? []), text]);
    },
  };
  return { slot, versions };
}

const codeOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MirrorVipError);
  return [(e as MirrorVipError).code, (e as MirrorVipError).status];
};

const resumed = { by: 'ops', since: '2026-12-02T04:00:00.000Z' };

describe('the pause on GCP, Azure and OCI', () => {
  it('pause writes a version, resume writes another; the latest decides, no version is not paused', async () => {
    const { slot, versions } = memorySlot();
    const refs = new Map([['IRISMIRROR', 'vault:iris']]);
    const store = deploymentPauseStore(config, {}, 'terraform/x paused_mirrors', { refs, slot });
    expect(await store.get('IRISMIRROR')).toEqual({ paused: null, generation: 0 });
    const state = { by: 'ops-2026', since: '2026-12-02T03:00:00.000Z', reason: 'kernel patching' };
    await store.set('IRISMIRROR', state, 1);
    expect(await store.get('IRISMIRROR')).toEqual({ paused: state, generation: 1 });
    await store.clear('IRISMIRROR', { by: 'ops-2026', since: '2026-12-02T04:00:00.000Z' }, 2);
    expect(await store.get('IRISMIRROR')).toEqual({ paused: null, generation: 2 });
    expect(versions.get('vault:iris')?.map((t) => JSON.parse(t))).toEqual([
      { paused: true, ...state, generation: 1 },
      { paused: false, by: 'ops-2026', since: '2026-12-02T04:00:00.000Z', generation: 2 },
    ]);
  });

  it('a mirror without a pause secret: pause and resume refused (501) naming the setting, nothing written', async () => {
    const { slot, versions } = memorySlot();
    const store = deploymentPauseStore(config, {}, 'terraform/x paused_mirrors', {
      refs: new Map([['IRISMIRROR', 'vault:iris']]),
      slot,
    });
    expect(await codeOf(store.set('OTHER', { by: 'ops', since: '2026-12-02T03:00:00.000Z' }, 1))).toEqual([
      'pause_store_not_configured',
      501,
    ]);
    expect(await codeOf(store.clear('OTHER', resumed, 1))).toEqual(['pause_store_not_configured', 501]);
    await expect(store.set('OTHER', { by: 'o', since: '2026-12-02T03:00:00.000Z' }, 1)).rejects.toThrow(
      PAUSE_SECRETS_ENV,
    );
    expect((await store.get('OTHER')).paused).toBeNull();
    expect(versions.size).toBe(0);
  });

  it('the deployment’s MIRROR_VIP_PAUSED is read first and cannot be resumed through the function (409, no write)', async () => {
    const { slot, versions } = memorySlot();
    const refs = new Map([['IRISMIRROR', 'vault:iris']]);
    const store = deploymentPauseStore(config, { [PAUSED_ENV]: 'IRISMIRROR' }, 'terraform/x paused_mirrors', {
      refs,
      slot,
    });
    expect((await store.get('IRISMIRROR')).paused).toMatchObject({
      by: PAUSED_ENV,
      reason: 'set in terraform/x paused_mirrors',
    });
    expect(await codeOf(store.clear('IRISMIRROR', resumed, 1))).toEqual(['paused_in_configuration', 409]);
    expect(versions.size).toBe(0);
    expect(() => deploymentPauseStore(config, { [PAUSED_ENV]: 'NOPE' }, 'w')).toThrow(/MIRROR_VIP_PAUSED names NOPE/);
  });

  it('a secret holding anything but a pause record throws on read, naming the secret (the engine logs it, moves on)', async () => {
    const long = JSON.stringify({ paused: true, by: 'x', since: '2026-12-02T03:00:00.000Z', reason: 'r'.repeat(5000) });
    for (const [text, why] of [
      ['not json', /does not hold JSON/],
      ['{"paused":"yes"}', /not a pause record/],
      ['{"paused":true,"by":"x","since":"yesterday"}', /not a pause record/],
      ['{"paused":true,"by":"x","since":"2026-12-02T03:00:00.000Z","extra":1}', /not a pause record/],
      ['{"paused":true,"by":"x","since":"2026-12-02T03:00:00.000Z","generation":-1}', /not a pause record/],
      ['true', /not a pause record/],
      ['[]', /not a pause record/],
      ['{}', /not a pause record/],
      ['{"paused":false}', /not a pause record/],
      [long, /5\d{3} characters/],
    ] as const) {
      const { slot } = memorySlot({ 'vault:iris': text });
      const store = deploymentPauseStore(config, {}, 'w', { refs: new Map([['IRISMIRROR', 'vault:iris']]), slot });
      await expect(store.get('IRISMIRROR')).rejects.toThrow(why);
      await expect(store.get('IRISMIRROR')).rejects.toThrow('vault:iris');
    }
    expect(decodePause('r', encodePause({ by: 'a', since: '2026-12-02T03:00:00.000Z' }))).toEqual({
      by: 'a',
      since: '2026-12-02T03:00:00.000Z',
    });
  });

  it(`${PAUSE_SECRETS_ENV} is checked at cold start: JSON object, configured mirrors, references in the cloud's form`, () => {
    const parse = (v: string) => () => pauseSecretsFromEnv(config, { [PAUSE_SECRETS_ENV]: v }, REF, 'vault:<name>');
    expect(pauseSecretsFromEnv(config, {}, REF, 'vault:<name>').size).toBe(0);
    expect([...parse('{"IRISMIRROR":"vault:iris"}')()]).toEqual([['IRISMIRROR', 'vault:iris']]);
    expect(parse('{')).toThrow(`${PAUSE_SECRETS_ENV} is not JSON`);
    expect(parse('["vault:iris"]')).toThrow('must be a JSON object');
    expect(parse('{"NOPE":"vault:iris"}')).toThrow(`${PAUSE_SECRETS_ENV} names NOPE, not a configured mirror`);
    expect(parse('{"IRISMIRROR":"http://evil"}')).toThrow(`${PAUSE_SECRETS_ENV}.IRISMIRROR must be vault:<name>`);
    expect(parse('{"IRISMIRROR":7}')).toThrow(`${PAUSE_SECRETS_ENV}.IRISMIRROR must be vault:<name>, got 7`);
  });
});
