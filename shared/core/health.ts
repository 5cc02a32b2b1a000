/** What a member's health endpoint says about it. */
export const MEMBER_ROLES = ['primary', 'backup', 'down', 'unknown'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export interface ProbeResult {
  role: MemberRole;
  status?: number;
  ms: number;
  detail?: string;
}

export type Probe = (url: string, timeoutMs: number) => Promise<ProbeResult>;

/**
 * Probe an IRIS-style mirror_status endpoint: 200 with SUCCESS means primary, 503 with FAILED means backup,
 * no answer within the timeout means down; anything else is unknown and never counts as primary.
 */
export const probeMember: Probe = async (url, timeoutMs) => {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const text = (await res.text()).slice(0, 256).trim();
    const ms = performance.now() - t0;
    if (res.status === 200 && /^SUCCESS\b/.test(text)) return { role: 'primary', status: 200, ms };
    if (res.status === 503 && /^FAILED\b/.test(text)) return { role: 'backup', status: 503, ms };
    return { role: 'unknown', status: res.status, ms, detail: text.slice(0, 64) };
  } catch (e: unknown) {
    return { role: 'down', ms: performance.now() - t0, detail: e instanceof Error ? e.name : 'error' };
  }
};
