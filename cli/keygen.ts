import { randomBytes } from 'node:crypto';

/** A new key: an id naming the member and month, and a 256-bit secret as 43 base64url characters. */
export function newKey(member: string, now = new Date()): { keyId: string; secret: string } {
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  return {
    keyId: `${member}-${month}-${randomBytes(2).toString('hex')}`,
    secret: randomBytes(32).toString('base64url'),
  };
}

/** What to run to store the secret where the function reads it, and on the member. */
export function keygenInstructions(mirror: string, member: string, k: { keyId: string; secret: string }): string {
  const param = `/mirror-vip/${mirror}/${k.keyId}`;
  return [
    `key id:  ${k.keyId}`,
    `secret:  ${k.secret}`,
    '',
    'Store it where the function reads it (one of):',
    `  aws ssm put-parameter --name ${param} --type SecureString --value '${k.secret}'`,
    `  printf %s '${k.secret}' | gcloud secrets create mirror-vip-${k.keyId} --data-file=-`,
    `  az keyvault secret set --vault-name <vault> --name mirror-vip-${k.keyId} --value '${k.secret}'`,
    '',
    'Reference it in the configuration (mirrors[].keys):',
    `  {"id": "${k.keyId}", "member": "${member}", "secret": "ssm:${param}"}`,
    '',
    `On ${member} (owner only; the IRIS user for ZMIRROR):`,
    `  umask 077 && printf '%s\\n' '${k.secret}' > /etc/mirror-vip/${member}.key && chown irisusr /etc/mirror-vip/${member}.key`,
    `  and set MIRROR_VIP_KEY_ID=${k.keyId} in /etc/mirror-vip/notify.conf`,
    '',
    'Rotation: add the new key next to the old one in the configuration, switch the member, then remove the old key.',
  ].join('\n');
}
