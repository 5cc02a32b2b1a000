// Terraform version constraints (`~> 6.28`, `>= 4.42, < 5.0`, `= 5.100.0`) checked against one version.

const parts = (v: string) => v.split('.').map((x) => Number.parseInt(x, 10));

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** True when `version` satisfies every comma-separated term of a Terraform version constraint. */
export function satisfies(version: string, constraint: string): boolean {
  const v = parts(version);
  return constraint.split(',').every((term) => {
    const m = /^\s*(~>|>=|<=|>|<|!=|=)?\s*(\d+(?:\.\d+)*)\s*$/.exec(term);
    if (!m) throw new Error(`unreadable version constraint term "${term}" in "${constraint}"`);
    const want = parts(m[2] as string);
    const c = compare(v, want);
    switch (m[1] ?? '=') {
      case '~>': {
        // ~> 6.28 allows 6.28 up to (not incl.) 7.0; ~> 6.28.1 allows up to 6.29.
        const prefix = want.slice(0, Math.max(1, want.length - 1));
        return c >= 0 && compare(v.slice(0, prefix.length), prefix) === 0;
      }
      case '>=':
        return c >= 0;
      case '>':
        return c > 0;
      case '<=':
        return c <= 0;
      case '<':
        return c < 0;
      case '!=':
        return c !== 0;
      default:
        return c === 0;
    }
  });
}
