import type { Binding, Observation, PlanChange } from '../providers/types.ts';

/** The changes that would put every VIP of a mirror on `target`: plain data, no side effects. */
export interface Plan {
  mirror: string;
  target: string;
  changes: PlanChange[];
  warnings: string[];
}

/** Describe where a binding points, for humans: a member name, a foreign resource id, or "nothing". */
export function pointsAt(b: Pick<Binding, 'holder' | 'resource'>): string | null {
  return b.holder ?? b.resource;
}

/** Compare what is with what should be; a binding already on the target makes no change. */
export function computePlan(mirror: string, target: string, observed: Observation): Plan {
  const changes = observed.bindings
    .filter((b) => b.holder !== target)
    .map((b) => ({ vip: b.vip, mode: b.mode, slot: b.slot, from: pointsAt(b), to: target }));
  return { mirror, target, changes, warnings: observed.memberWarnings[target] ?? [] };
}

export function hasChanges(plan: Plan): boolean {
  return plan.changes.length > 0;
}

/** The member the VIP is on now: the single holder of every binding, "split" when they disagree, null when none. */
export function currentHolder(observed: Observation): string | null {
  const holders = new Set(observed.bindings.map(pointsAt));
  if (holders.size === 1) return [...holders][0] ?? null;
  return holders.size === 0 ? null : 'split';
}
