import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh random secret as keygen makes them (256 bits, base64url). */
export const randomSecret = () => randomBytes(32).toString('base64url');

/**
 * The files an operator test needs, in a new temporary folder: `keyFile` writes a mode-600 key file as keygen does,
 * `operatorKey` holds `operatorSecret` (key id ops-2026 in the tests' configurations), `wrongKey` another secret.
 */
export function operatorKeyFiles(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `mirror-vip-${prefix}-`));
  const keyFile = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, `${text}\n`, { mode: 0o600 });
    return p;
  };
  const operatorSecret = randomSecret();
  return {
    dir,
    keyFile,
    operatorSecret,
    operatorKey: keyFile('ops.key', operatorSecret),
    wrongKey: keyFile('wrong.key', randomSecret()),
  };
}
