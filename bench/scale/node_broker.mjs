// The scale benchmark's baseline: the job tokenbroker does, done by the
// official Coze Node SDK in one Node process. N JWT "profiles" share one app;
// each gets a token via getJWTToken, written atomically to OUT/NAME.token,
// renewed at half its lifetime, with at most CONCURRENCY exchanges at once
// (tokenbroker's default worker count). DURABILITY is `as-is` (write and
// rename, what such a script usually does) or `durable` (fsync of the file
// before the rename and of the directory after it, as tokenbroker does; it
// keeps no state file, so it makes one durable write per token to the
// broker's two).
//   node node_broker.mjs BASE_URL APP_ID KID KEY_FILE N OUT DURATION_S CONCURRENCY [DURABILITY]
import { getJWTToken } from '@coze/api';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const [baseURL, appId, keyid, keyFile, n, outDir, duration, concurrency, durability = 'as-is'] = process.argv.slice(2);
const durable = durability === 'durable';

function writeToken(file, text) {
  if (!durable) {
    writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    return;
  }
  const fd = openSync(`${file}.tmp`, 'w', 0o600);
  writeSync(fd, text);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(`${file}.tmp`, file);
  const dir = openSync(outDir, 'r');
  fsyncSync(dir);
  closeSync(dir);
}
const privateKey = readFileSync(keyFile, 'utf8');
const aud = new URL(baseURL).host;
const total = Number(n);
const limit = Number(concurrency);

let running = 0;
const waiting = [];
async function slot(work) {
  if (running >= limit) await new Promise((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

let ready = 0;
const started = Date.now();
async function renew(i) {
  const name = `p${i}`;
  try {
    const token = await slot(() =>
      getJWTToken({ baseURL, appId, aud, keyid, privateKey, durationSeconds: Number(duration) }));
    const file = join(outDir, `${name}.token`);
    writeToken(file, `${token.access_token}\n`);
    if (++ready === total) console.log(`ready ${total} in ${Date.now() - started} ms`);
    const lifetime = token.expires_in * 1000 - Date.now();
    setTimeout(() => renew(i), Math.max(1000, lifetime / 2));
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    setTimeout(() => renew(i), 1000);
  }
}
for (let i = 0; i < total; i++) renew(i);
