import { setTimeout as delay } from 'node:timers/promises';
import { type Member, notify, type RaceWorld, type Scenario } from './harness.ts';

const ms = (rng: () => number, max: number) => Math.floor(rng() * max);
const at = async (wait: number, fn: () => unknown) => {
  await delay(wait);
  return fn();
};
/** Resolves when the emulator has received a write (or after `maxMs`): a bounded poll of the scenario's clock. */
async function firstWrite(w: RaceWorld, maxMs: number) {
  const end = performance.now() + maxMs;
  while (w.writeTimes().length === 0 && performance.now() < end) await delay(2);
}
const inst = (w: RaceWorld, i: number) => w.instances[i % w.instances.length] as RaceWorld['instances'][number];

/**
 * Both status pages answer SUCCESS and the VIP is nowhere; A's event goes to instance 1 and B's to instance 2 at
 * once. Sometimes one of them steps down after a while (then its rival's notifier, retrying, may move the VIP),
 * sometimes neither does (then nothing may be written).
 */
export const splitBrain: Scenario = {
  name: 'split brain',
  initial: { holder: 'none', roles: { 'iris-a': 'primary', 'iris-b': 'primary' } },
  run: async (w, rng) => {
    const loser: Member | null = rng() < 0.3 ? null : rng() < 0.5 ? 'iris-a' : 'iris-b';
    const stepDown = loser ? at(ms(rng, 400), () => w.setRole(loser, 'backup')) : undefined;
    await Promise.all([
      notify(inst(w, 0), w.signed('iris-a'), 4000),
      notify(inst(w, 1), w.signed('iris-b'), 4000),
      stepDown,
    ]);
  },
};

/** B takes over from A (B's event to instance 1), then A is primary again while instance 1 still writes; A notifies instance 2. */
export const flapDuringMove: Scenario = {
  name: 'flap during a move',
  initial: { roles: { 'iris-a': 'primary', 'iris-b': 'backup' } },
  run: async (w, rng) => {
    w.setRole('iris-a', 'down');
    w.setRole('iris-b', 'primary');
    const first = notify(inst(w, 0), w.signed('iris-b'));
    // the flap lands while instance 1's writes are in flight
    await firstWrite(w, 3000);
    await delay(ms(rng, 60));
    w.setRole('iris-b', 'backup');
    w.setRole('iris-a', 'primary');
    await Promise.all([first, notify(inst(w, 1), w.signed('iris-a'))]);
  },
};

/** After B took over, A's 20 s old event reaches another instance while A's page briefly says SUCCESS. */
export const oldEventElsewhere: Scenario = {
  name: 'old event on another instance',
  initial: { roles: { 'iris-a': 'primary', 'iris-b': 'backup' } },
  run: async (w, rng) => {
    const old = w.signed('iris-a', Date.now() / 1000 - 20);
    w.setRole('iris-a', 'down');
    w.setRole('iris-b', 'primary');
    await notify(inst(w, 0), w.signed('iris-b'));
    w.setRole('iris-a', 'primary');
    const late = notify(inst(w, 1), old);
    await delay(ms(rng, 200));
    w.setRole('iris-a', 'backup');
    await late;
  },
};

/** B's event to instance 1 races a scheduled reconcile on instance 2, each started at a random moment. */
export const eventVsReconcile: Scenario = {
  name: 'event racing a scheduled reconcile',
  initial: { roles: { 'iris-a': 'primary', 'iris-b': 'backup' } },
  run: async (w, rng) => {
    w.setRole('iris-a', 'down');
    w.setRole('iris-b', 'primary');
    const req = w.signed('iris-b');
    await Promise.all([
      at(ms(rng, 100), () => notify(inst(w, 0), req)),
      at(ms(rng, 100), () => inst(w, 1).reconcile()),
      // now and then the old primary comes back mid-race, and says so
      rng() < 0.3
        ? at(ms(rng, 150), async () => {
            w.setRole('iris-b', 'backup');
            w.setRole('iris-a', 'primary');
            await notify(inst(w, 1), w.signed('iris-a'));
          })
        : undefined,
    ]);
  },
};

/** The same signed event (one event id) delivered to 50 instances at once. */
export const fiftyIdentical: Scenario = {
  name: '50 identical events to 50 instances',
  initial: { roles: { 'iris-a': 'primary', 'iris-b': 'backup' }, instances: 50 },
  run: async (w) => {
    w.setRole('iris-a', 'down');
    w.setRole('iris-b', 'primary');
    const req = w.signed('iris-b');
    await Promise.all(w.instances.map((i) => notify(i, req)));
  },
};

export const SCENARIOS: readonly Scenario[] = [
  splitBrain,
  flapDuringMove,
  oldEventElsewhere,
  eventVsReconcile,
  fiftyIdentical,
];
