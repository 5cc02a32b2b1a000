import { generateKeyPairSync } from 'node:crypto';

/** A fresh RSA key pair for signing with an API key (the emulator gets the public half, the client the private). */
export function testKeyPair(keyId = 'ocid1.tenancy.oc1..aaaamirrorvip/ocid1.user.oc1..aaaafunction/11:22:33') {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { keyId, publicKey, privateKey };
}
