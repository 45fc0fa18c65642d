// Writes fresh RSA key pairs and the emulator's apps file into a directory:
// no private key is ever committed, and nothing here needs the network.
//   node make-fixture.mjs DIR
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node make-fixture.mjs DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

// Two apps' worth of keys: one handed to the SDK as PKCS#1, one as PKCS#8.
for (const [name, type] of [['pkcs1', 'pkcs1'], ['pkcs8', 'pkcs8']]) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type, format: 'pem' },
  });
  writeFileSync(join(dir, `${name}.pub.pem`), publicKey);
  writeFileSync(join(dir, `${name}.key.pem`), privateKey, { mode: 0o600 });
}

writeFileSync(join(dir, 'apps.yaml'), `apps:
  - client_id: "1127900106117"
    type: jwt
    public_keys:
      kid-pkcs1: pkcs1.pub.pem
      kid-pkcs8: pkcs8.pub.pem
  - client_id: web-app
    type: web
    client_secret: web-secret
    redirect_uris: ["http://127.0.0.1:8080/cb"]
  - client_id: pkce-app
    type: pkce
    redirect_uris: ["http://127.0.0.1:8080/cb"]
  - client_id: device-app
    type: device
pats: [pat_conformance]
device_interval: 1
`);
