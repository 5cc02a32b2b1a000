import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let made: { key: string; cert: string; certFile: string } | undefined;

/**
 * A self-signed certificate for 127.0.0.1/localhost: the SDK sends bearer tokens over https only. Made once per
 * process: openssl runs synchronously and blocks the event loop (hundreds of ms on a loaded machine), which would
 * stall every other emulator, engine and status page of the process each time another emulator starts.
 */
export function selfSignedCert(): { key: string; cert: string; certFile: string } {
  made ??= makeCert();
  return made;
}

function makeCert(): { key: string; cert: string; certFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-arm-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}
