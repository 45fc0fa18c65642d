// The official Coze Node SDK against coze-emulator: every flow the SDK offers
// must succeed end to end, and its error paths must fire. Started by run.sh,
// which provides EMULATOR_URL, FIXTURE_DIR and NODE_EXTRA_CA_CERTS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CozeAPI,
  getDeviceCode,
  getDeviceToken,
  getJWTToken,
  getPKCEAuthenticationUrl,
  getPKCEOAuthToken,
  getWebAuthenticationUrl,
  getWebOAuthToken,
  refreshOAuthToken,
} from '@coze/api';

const baseURL = process.env.EMULATOR_URL;
const fixture = process.env.FIXTURE_DIR;
assert.ok(baseURL?.startsWith('https://127.0.0.1:'), 'EMULATOR_URL must be the emulator https URL');

const jwtAppId = '1127900106117';
const redirectUrl = 'http://127.0.0.1:8080/cb';
const privateKey = (form) => readFileSync(join(fixture, `${form}.key.pem`), 'utf8');
const now = () => Math.floor(Date.now() / 1000);

async function control(method, path, body) {
  const response = await fetch(`${baseURL}/_emulator/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return response.json();
}

const recordedRequests = () => control('GET', 'requests');

function assertAbsoluteExpiry(token, lifetime) {
  assert.equal(typeof token.expires_in, 'number');
  assert.ok(Math.abs(token.expires_in - (now() + lifetime)) <= 5, `expires_in ${token.expires_in} ~ now+${lifetime}`);
}

async function me(token) {
  return new CozeAPI({ token, baseURL }).users.me();
}

/// The browser step: the authorize URL answers 302 to redirect_uri?code&state.
async function consent(url) {
  assert.ok(url.startsWith(`${baseURL}/api/permission/oauth2/authorize?`), url);
  const response = await fetch(url, { redirect: 'manual' });
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, redirectUrl);
  return { code: location.searchParams.get('code'), state: location.searchParams.get('state') };
}

test('JWT with a PKCS#8 key and defaults', async () => {
  const token = await getJWTToken({
    baseURL, appId: jwtAppId, aud: 'api.coze.cn', keyid: 'kid-pkcs8', privateKey: privateKey('pkcs8'),
  });
  assert.match(token.access_token, /^czs_/);
  assert.equal(token.refresh_token, undefined);
  assertAbsoluteExpiry(token, 900);
  const user = await me(token.access_token);
  assert.ok(user.user_id);
});

test('JWT with a PKCS#1 key, sessionName, scope, accountId and long duration', async () => {
  const scope = {
    account_permission: { permission_list: ['Connector.botChat'] },
    attribute_constraint: { connector_bot_chat_attribute: { bot_id_list: ['bot-1'] } },
  };
  const token = await getJWTToken({
    baseURL, appId: jwtAppId, aud: 'api.coze.cn', keyid: 'kid-pkcs1', privateKey: privateKey('pkcs1'),
    sessionName: 'user-42', scope, accountId: '7777', durationSeconds: 86399,
  });
  assert.match(token.access_token, /^czs_/);
  assertAbsoluteExpiry(token, 86399);
  const sent = (await recordedRequests()).at(-1);
  assert.equal(sent.path, '/api/permission/oauth2/account/7777/token');
  assert.deepEqual(JSON.parse(sent.body).scope, scope);
  const user = await me(token.access_token);
  assert.equal(user.user_name, 'user-42');
});

test('JWT audience of the base URL host:port is accepted too', async () => {
  const token = await getJWTToken({
    baseURL, appId: jwtAppId, aud: new URL(baseURL).host, keyid: 'kid-pkcs8', privateKey: privateKey('pkcs8'),
  });
  assert.match(token.access_token, /^czs_/);
});

test('device code, approval while polling, refresh without secret', async () => {
  const workspaceCode = await getDeviceCode({ baseURL, clientId: 'device-app', workspaceId: 'ws-9' });
  assert.ok(workspaceCode.device_code);

  const code = await getDeviceCode({ baseURL, clientId: 'device-app' });
  assert.match(code.user_code, /^[A-Z]{4}-[A-Z]{4}$/);
  assert.equal(code.interval, 1);
  assert.ok(code.expires_in > 0 && code.expires_in < 100000, 'device-code expires_in is relative');

  const polling = getDeviceToken({ baseURL, clientId: 'device-app', deviceCode: code.device_code, poll: true });
  // Approve only after the SDK has seen authorization_pending once.
  for (let i = 0; ; ++i) {
    const polls = (await recordedRequests()).filter(
      (r) => r.path === '/api/permission/oauth2/token' && r.body.includes(code.device_code));
    if (polls.length > 0) break;
    assert.ok(i < 100, 'the SDK never polled');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await control('POST', 'device/approve', { user_code: code.user_code, deny: false });
  const token = await polling;
  assert.match(token.access_token, /^czu_/);
  assert.ok(token.refresh_token);
  assertAbsoluteExpiry(token, 900);
  assert.ok((await me(token.access_token)).user_id);

  const refreshed = await refreshOAuthToken({ baseURL, clientId: 'device-app', refreshToken: token.refresh_token });
  assert.match(refreshed.access_token, /^czu_/);
  assert.notEqual(refreshed.refresh_token, token.refresh_token);
});

test('device code denied: the SDK throws access_denied', async () => {
  const code = await getDeviceCode({ baseURL, clientId: 'device-app' });
  await control('POST', 'device/approve', { user_code: code.user_code, deny: true });
  await assert.rejects(
    getDeviceToken({ baseURL, clientId: 'device-app', deviceCode: code.device_code, poll: true }),
    (error) => error.status === 400 && error.rawError?.error === 'access_denied');
});

test('web authorization code, exchange with secret, rotating refresh', async () => {
  const url = getWebAuthenticationUrl({ baseURL, clientId: 'web-app', redirectUrl, state: 'st-1' });
  const { code, state } = await consent(url);
  assert.equal(state, 'st-1');
  assert.match(code, /^code_/);

  const token = await getWebOAuthToken({ baseURL, clientId: 'web-app', redirectUrl, clientSecret: 'web-secret', code });
  assert.match(token.access_token, /^czu_/);
  assertAbsoluteExpiry(token, 900);
  const sent = (await recordedRequests()).at(-1);
  assert.equal(sent.headers.authorization, 'Bearer web-secret');
  assert.ok((await me(token.access_token)).user_id);

  const refreshed = await refreshOAuthToken({
    baseURL, clientId: 'web-app', clientSecret: 'web-secret', refreshToken: token.refresh_token,
  });
  assert.match(refreshed.access_token, /^czu_/);
  assert.ok((await me(refreshed.access_token)).user_id);
  // Rotation: the old refresh token is dead.
  await assert.rejects(
    refreshOAuthToken({ baseURL, clientId: 'web-app', clientSecret: 'web-secret', refreshToken: token.refresh_token }),
    (error) => error.status === 400 && error.rawError?.error === 'invalid_grant');
  // The code was single-use.
  await assert.rejects(
    getWebOAuthToken({ baseURL, clientId: 'web-app', redirectUrl, clientSecret: 'web-secret', code }),
    (error) => error.status === 400 && error.rawError?.error === 'invalid_grant');
});

test('PKCE (S256) code exchange and refresh without secret', async () => {
  const { url, codeVerifier } = await getPKCEAuthenticationUrl({
    baseURL, clientId: 'pkce-app', redirectUrl, state: 'st-2',
  });
  const { code, state } = await consent(url);
  assert.equal(state, 'st-2');
  await assert.rejects(
    getPKCEOAuthToken({ baseURL, clientId: 'pkce-app', redirectUrl, code, codeVerifier: 'not-the-verifier' }),
    (error) => error.rawError?.error === 'invalid_grant');
  const token = await getPKCEOAuthToken({ baseURL, clientId: 'pkce-app', redirectUrl, code, codeVerifier });
  assert.match(token.access_token, /^czu_/);
  assertAbsoluteExpiry(token, 900);

  const refreshed = await refreshOAuthToken({ baseURL, clientId: 'pkce-app', refreshToken: token.refresh_token });
  assert.match(refreshed.access_token, /^czu_/);
  assert.ok((await me(refreshed.access_token)).user_id);
});

test('PAT works with users.me', async () => {
  assert.ok((await me('pat_conformance')).user_id);
});

test('invalid client: the SDK throws an authentication error', async () => {
  const { code } = await consent(getWebAuthenticationUrl({ baseURL, clientId: 'web-app', redirectUrl, state: 's' }));
  await assert.rejects(
    getWebOAuthToken({ baseURL, clientId: 'web-app', redirectUrl, clientSecret: 'wrong', code }),
    (error) => error.status === 401 && error.name === 'AuthenticationError' && error.rawError?.error === 'invalid_client');
  await assert.rejects(
    getJWTToken({ baseURL, appId: jwtAppId, aud: 'api.coze.cn', keyid: 'kid-unknown', privateKey: privateKey('pkcs8') }),
    (error) => error.status === 401 && error.rawError?.error_code === 'invalid_client');
  await assert.rejects(getDeviceCode({ baseURL, clientId: 'nobody' }), (error) => error.status === 401);
});

test('non-zero code in a 200 answer: the SDK throws', async () => {
  await control('POST', 'faults', [
    { path: '/v1/users/me', status: 200, body: '{"code":4100,"msg":"token expired (simulated)"}' },
    { path: '/api/permission/oauth2/token', status: 200, body: '{"code":5000,"msg":"internal (simulated)"}' },
  ]);
  await assert.rejects(me('pat_conformance'), (error) => error.code === 4100);
  await assert.rejects(
    getJWTToken({ baseURL, appId: jwtAppId, aud: 'api.coze.cn', keyid: 'kid-pkcs8', privateKey: privateKey('pkcs8') }),
    (error) => error.code === 5000);
  // The faults were single-shot.
  assert.ok((await me('pat_conformance')).user_id);
});

test('invalid token: users.me throws 4100', async () => {
  await assert.rejects(me('czu_not-a-token'), (error) => error.status === 401 && error.code === 4100);
});
