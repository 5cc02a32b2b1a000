/** `mirror-vip status` exit codes per verdict (the most severe mirror wins). */
export const STATUS_EXIT = { ok: 0, mismatch: 3, split: 4, noPrimary: 5, severalPrimaries: 6, unreachable: 7 } as const;
export type Verdict = keyof typeof STATUS_EXIT;
