// A test-only OAuth 2.0 / OpenID Connect server: panva's oidc-provider (an
// OpenID Certified implementation, pinned in package-lock.json) behind a thin
// layer of test controls. The oauth2 flow plugin's tests start it as a child
// process so the plugin is proven against a server we did not write.
//
//   node provider.mjs CONFIG.json
//
// The first (and only) stdout line is "listening on https://127.0.0.1:PORT";
// that URL is the issuer. Everything else goes to stderr. See README.md for
// the CONFIG.json schema and the /_test/ control endpoints.
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';

import Provider, { errors } from 'oidc-provider';
import * as jose from 'jose';

// oidc-provider prints its "you SHOULD change this default" notices with
// console.info, i.e. to stdout. The test reads stdout for the listening line,
// so every console channel is sent to stderr and the line itself is written
// with process.stdout.write.
for (const name of ['log', 'info', 'debug']) {
  console[name] = (...args) => console.error(...args);
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const OPENID_WELL_KNOWN = '/.well-known/openid-configuration';
const OAUTH_WELL_KNOWN = '/.well-known/oauth-authorization-server';
// oidc-provider's default routes; the test only ever needs these recorded.
const RECORDED_PATHS = new Set([
  '/token',
  '/device/auth',
  '/token/introspection',
  '/token/revocation',
  OPENID_WELL_KNOWN,
  OAUTH_WELL_KNOWN,
]);
// Bodies on the token endpoint are small; this only guards against a runaway
// client filling memory.
const MAX_BODY = 256 * 1024;

function usage(message) {
  console.error(message);
  console.error('usage: node provider.mjs CONFIG.json');
  process.exit(2);
}

const configPath = process.argv[2];
if (!configPath) usage('missing CONFIG.json');
let config;
try {
  config = JSON.parse(readFileSync(configPath, 'utf8'));
} catch (err) {
  usage(`cannot read ${configPath}: ${err.message}`);
}
if (!config.cert || !config.key) usage('CONFIG.json needs "cert" and "key"');
const discoveryMode = config.discovery ?? 'openid';
if (!['openid', 'oauth', 'both', 'none'].includes(discoveryMode)) {
  usage(`"discovery" must be openid, oauth, both or none, not ${JSON.stringify(discoveryMode)}`);
}
const refreshTokenPolicy = config.refreshTokens ?? 'always';
if (!['always', 'offline_access'].includes(refreshTokenPolicy)) {
  usage(`"refreshTokens" must be always or offline_access, not ${JSON.stringify(refreshTokenPolicy)}`);
}

// ---------------------------------------------------------------------------
// Test state: recorded requests and queued failure responses.

let recorded = [];
// path -> [{remaining, status, headers, body}], served in order.
const failures = new Map();

// Requests the server makes to itself while driving a login carry this
// header, so they are neither recorded nor answered by an injected failure.
const driverSecret = randomBytes(16).toString('hex');

function formToObject(searchParams) {
  // Repeated keys (e.g. several resource indicators) become arrays, so the
  // test can see exactly what the client sent.
  const out = {};
  for (const [key, value] of searchParams) {
    if (key in out) {
      out[key] = [].concat(out[key], value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseParams(req, url, body) {
  if (req.method === 'GET' || req.method === 'HEAD') return formToObject(url.searchParams);
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const text = body.toString('utf8');
  if (type === 'application/json') {
    try {
      return JSON.parse(text);
    } catch {
      return {};
    }
  }
  // Anything else is read as a form: a client that forgets the content type
  // still shows what it sent.
  return formToObject(new URLSearchParams(text));
}

function sendJson(res, status, value, headers = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function sendNotFound(res) {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Not Found');
}

function takeFailure(path) {
  const queue = failures.get(path);
  if (!queue?.length) return undefined;
  const rule = queue[0];
  rule.remaining -= 1;
  if (rule.remaining <= 0) queue.shift();
  return rule;
}

function sendFailure(res, rule) {
  const headers = { 'cache-control': 'no-store', ...rule.headers };
  if (rule.contentType !== null) headers['content-type'] = rule.contentType;
  headers['content-length'] = Buffer.byteLength(rule.body);
  res.writeHead(rule.status, headers);
  res.end(rule.body);
}

// ---------------------------------------------------------------------------
// The provider.

async function makeSigningKeys() {
  // Fresh per run: id_tokens and JWT access tokens verify against /jwks, and
  // no private key is ever committed.
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return { keys: [{ ...jwk, alg: 'RS256', use: 'sig', kid: randomBytes(8).toString('hex') }] };
}

function clientWithDefaults(metadata) {
  // oidc-provider defaults response_types to ["code"], which it then rejects
  // for a client without the authorization_code grant. A machine-only client
  // (client_credentials, jwt-bearer) should not have to spell out
  // response_types: [] in every test.
  const grantTypes = metadata.grant_types ?? ['authorization_code'];
  if (metadata.response_types === undefined
      && !grantTypes.includes('authorization_code') && !grantTypes.includes('implicit')) {
    return { ...metadata, response_types: [] };
  }
  return metadata;
}

function knownScopes() {
  // oidc-provider drops scope values it does not know from requests without
  // a resource indicator, so every scope a client or resource declares is
  // made known.
  const scopes = new Set(['openid', 'offline_access', ...(config.scopes ?? [])]);
  for (const client of config.clients ?? []) {
    for (const scope of (client.scope ?? '').split(' ').filter(Boolean)) scopes.add(scope);
  }
  for (const resource of Object.values(config.resources ?? {})) {
    for (const scope of (resource.scope ?? '').split(' ').filter(Boolean)) scopes.add(scope);
  }
  return scopes;
}

function makeTtl() {
  const given = config.ttl ?? {};
  // Explicit values also keep oidc-provider from printing a notice for every
  // default TTL function it calls. A resource's own accessTokenTTL still wins
  // over the global access token lifetime, as in oidc-provider's defaults.
  return {
    AuthorizationCode: 60,
    BackchannelAuthenticationRequest: 600,
    DeviceCode: 600,
    Grant: 14 * 24 * 3600,
    IdToken: 3600,
    Interaction: 3600,
    RefreshToken: 14 * 24 * 3600,
    Session: 14 * 24 * 3600,
    ...given,
    AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? given.AccessToken ?? 3600,
    ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? given.ClientCredentials ?? 600,
  };
}

function makeResourceIndicators(scopes) {
  return {
    enabled: true,
    // No implicit resource: a token is audience-restricted only when the
    // client asks for it, which is what the tests check.
    defaultResource: async (ctx, client, oneOf) => oneOf,
    // An authorization_code grant issued for one resource gives tokens for it
    // without the client repeating the indicator at the token endpoint.
    useGrantedResource: async () => true,
    async getResourceServerInfo(ctx, resource) {
      let info;
      if (config.resources) {
        info = config.resources[resource];
        if (!info) throw new errors.InvalidTarget(`resource ${resource} is not known to this server`);
      } else {
        // No map: every absolute URI is a resource accepting every scope.
        info = { scope: [...scopes].join(' ') };
      }
      return {
        scope: info.scope ?? '',
        audience: info.audience ?? resource,
        accessTokenFormat: info.accessTokenFormat ?? 'jwt',
        ...(info.accessTokenTTL ? { accessTokenTTL: info.accessTokenTTL } : {}),
        jwt: { sign: { alg: 'RS256' } },
      };
    },
  };
}

// An OAuth error whose error_description is the reason, not oidc-provider's
// generic "grant request is invalid", so a test's log shows why.
function invalidGrant(description) {
  return new errors.CustomOIDCProviderError('invalid_grant', description);
}

// RFC 7523 §2.1: a signed JWT from a trusted issuer exchanged for an access
// token for its subject. The client still authenticates to the token endpoint
// in whatever way its metadata says.
function registerJwtBearer(provider, issuer) {
  const trusted = config.jwtBearer.issuers ?? {};
  const audiences = [issuer, provider.urlFor('token')];

  provider.registerGrantType(JWT_BEARER, async (ctx) => {
    const { assertion, scope } = ctx.oidc.params;
    if (!assertion) throw new errors.InvalidRequest('missing required parameter: assertion');

    let claims;
    try {
      claims = jose.decodeJwt(assertion);
    } catch (err) {
      throw invalidGrant(`assertion is not a JWT: ${err.message}`);
    }
    const jwk = typeof claims.iss === 'string' ? trusted[claims.iss] : undefined;
    if (!jwk) throw invalidGrant(`assertion issuer ${JSON.stringify(claims.iss)} is not trusted`);

    let payload;
    try {
      const { alg } = jose.decodeProtectedHeader(assertion);
      if (alg !== 'RS256' && alg !== 'ES256') throw new Error(`alg ${alg} is not accepted (RS256, ES256)`);
      const key = await jose.importJWK(jwk, alg);
      ({ payload } = await jose.jwtVerify(assertion, key, {
        algorithms: ['RS256', 'ES256'],
        issuer: claims.iss,
        audience: audiences,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw invalidGrant(`assertion rejected: ${err.message}`);
    }
    // A long-lived assertion is a bearer credential in all but name.
    if (payload.exp - Math.floor(Date.now() / 1000) > 3600) {
      throw invalidGrant('assertion exp is more than one hour away');
    }
    if (typeof payload.sub !== 'string' || !payload.sub) throw invalidGrant('assertion sub is empty');

    const { client } = ctx.oidc;
    const requested = scope ?? client.scope;
    if (scope && client.scope) {
      const allowed = new Set(client.scope.split(' '));
      const denied = scope.split(' ').filter((value) => !allowed.has(value));
      if (denied.length) throw new errors.InvalidScope('requested scope is not allowed', denied.join(' '));
    }

    // A grant makes the token a first-class oidc-provider token: it
    // introspects, revokes and reaches userinfo like any other.
    const grant = new provider.Grant({ accountId: payload.sub, clientId: client.clientId });
    if (requested) grant.addOIDCScope(requested);
    const grantId = await grant.save();

    const token = new provider.AccessToken({
      accountId: payload.sub,
      client,
      grantId,
      gty: 'jwt_bearer',
      scope: requested || undefined,
    });
    ctx.oidc.entity('AccessToken', token);
    const accessToken = await token.save();

    ctx.body = {
      access_token: accessToken,
      token_type: token.tokenType,
      expires_in: token.expiration,
      ...(token.scope ? { scope: token.scope } : {}),
    };
  }, ['assertion', 'scope']);
}

async function buildProvider(issuer) {
  const scopes = knownScopes();
  const provider = new Provider(issuer, {
    clients: (config.clients ?? []).map(clientWithDefaults),
    jwks: await makeSigningKeys(),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: [...scopes],
    // Any account name exists; the tests name the user in /_test/authorize.
    findAccount: async (ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub }),
    }),
    features: {
      // Logins are driven through /_test/authorize and /_test/device instead.
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      // `introspectors` (client ids) may introspect any token, as a resource
      // server would; other clients only their own (oidc-provider's rule).
      introspection: {
        enabled: true,
        allowedPolicy: async (ctx, client, token) => (config.introspectors ?? []).includes(client.clientId)
          || !token.clientId || token.clientId === client.clientId,
      },
      revocation: { enabled: true },
      resourceIndicators: makeResourceIndicators(scopes),
    },
    // "always": every client allowed the refresh_token grant gets one, with
    // or without offline_access (many real servers do this, and plain OAuth
    // 2.0 clients never ask for offline_access). "offline_access" is
    // oidc-provider's own default.
    issueRefreshToken: async (ctx, client, source) => client.grantTypeAllowed('refresh_token')
      && (refreshTokenPolicy === 'always' || source.scopes.has('offline_access')),
    rotateRefreshToken: config.rotateRefreshToken ?? true,
    // Tokens outlive the throwaway browser session the server drives itself.
    expiresWithSession: async () => false,
    ttl: makeTtl(),
    // Accounts are not real; don't render an HTML page a test cannot read.
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  if (config.jwtBearer) registerJwtBearer(provider, issuer);

  // oidc-provider leaves "interval" out of the device authorization response
  // (clients then wait the RFC 8628 default of 5 s); a test can shorten it.
  if (config.deviceInterval !== undefined) {
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.oidc?.route === 'device_authorization' && ctx.status === 200 && ctx.body) {
        ctx.body = { ...ctx.body, interval: config.deviceInterval };
      }
    });
  }

  // Why a request was refused is in error_detail, which oidc-provider keeps
  // out of responses; the test's log should have it.
  for (const event of ['grant.error', 'authorization.error', 'device_authorization.error',
    'introspection.error', 'revocation.error', 'userinfo.error', 'code_verification.error',
    'discovery.error', 'jwks.error', 'end_session.error']) {
    provider.on(event, (ctx, err) => {
      console.error(`${event}: ${err.error ?? err.message}: ${err.error_description ?? ''}`
        + `${err.error_detail ? ` (${err.error_detail})` : ''}`);
    });
  }
  provider.on('server_error', (ctx, err) => console.error('server_error:', err));

  // Static clients are only checked on first use; a typo in a test's client
  // should fail the start, not show up later as invalid_client.
  for (const client of config.clients ?? []) {
    await provider.Client.validate(clientWithDefaults(client));
  }
  return provider;
}

// ---------------------------------------------------------------------------
// Driving logins without a browser. The server requests its own
// authorization (or device verification) endpoint over HTTPS, keeps the
// cookies a browser would, and completes each login / consent interaction
// directly on oidc-provider's Interaction model - what the interaction
// routes of a real deployment do via provider.interactionFinished().

class Browser {
  #cookies = new Map();

  constructor(origin) {
    this.origin = new URL(origin);
  }

  request(method, target, form) {
    const url = new URL(target, this.origin);
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const headers = {
      accept: 'text/html, application/json',
      'x-test-driver': driverSecret,
    };
    if (this.#cookies.size) {
      // Sent everywhere regardless of cookie path: every cookie here belongs
      // to this one server, and oidc-provider picks its own by name.
      headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = Buffer.byteLength(body);
    }
    return new Promise((resolve, reject) => {
      const req = https.request({
        host: this.origin.hostname,
        port: this.origin.port,
        method,
        path: url.pathname + url.search,
        headers,
        // Our own listening socket over loopback: the test's certificate
        // chain need not include its root for this to work.
        rejectUnauthorized: false,
      }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          this.#remember(res.headers['set-cookie'] ?? []);
          resolve({
            status: res.statusCode,
            location: res.headers.location,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  #remember(setCookies) {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key, val] = attribute.split('=');
        return key.trim().toLowerCase() === 'expires' && Date.parse(val) <= Date.now();
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}

class DriveError extends Error {
  constructor(status, message, detail) {
    super(message);
    this.status = status;
    // oidc-provider's own error body, as JSON when it is JSON.
    try {
      this.detail = detail === undefined ? undefined : JSON.parse(detail);
    } catch {
      this.detail = detail;
    }
  }
}

// Completes the interaction the provider redirected to: login as `account`,
// then consent to everything asked for (scopes incl. offline_access, claims,
// resource scopes), or deny with access_denied.
async function finishInteraction(provider, uid, account, approve) {
  const interaction = await provider.Interaction.find(uid);
  if (!interaction) throw new DriveError(500, `interaction ${uid} not found`);

  let result;
  if (!approve) {
    result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
  } else if (interaction.prompt.name === 'login') {
    result = { login: { accountId: account } };
  } else if (interaction.prompt.name === 'consent') {
    const { details } = interaction.prompt;
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({
        accountId: interaction.session.accountId,
        clientId: interaction.params.client_id,
      });
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    result = { consent: { grantId: await grant.save() } };
  } else {
    throw new DriveError(500, `unexpected prompt ${interaction.prompt.name}`);
  }

  // As provider.interactionResult() does: a successful step keeps what the
  // earlier steps of this authorization submitted.
  interaction.result = 'error' in result ? result : { ...interaction.lastSubmission, ...result };
  await interaction.persist();
  return interaction.returnTo;
}

// Follows redirects from `response` until one leaves this server (the
// client's redirect_uri: returned) or a page is rendered (device flow's
// success page: returned as null).
async function follow(provider, browser, response, account, approve) {
  for (let step = 0; step < 20; step += 1) {
    if (response.status < 300 || response.status >= 400) {
      if (response.status === 200) return null;
      throw new DriveError(400, `authorization failed with HTTP ${response.status}`, response.body);
    }
    if (!response.location) throw new DriveError(500, `HTTP ${response.status} without Location`);
    const next = new URL(response.location, browser.origin);
    if (next.origin !== browser.origin.origin) return next.href;

    const interaction = next.pathname.match(/^\/interaction\/([^/]+)$/);
    const target = interaction
      ? await finishInteraction(provider, interaction[1], account, approve)
      : next.href;
    response = await browser.request('GET', target);
  }
  throw new DriveError(500, 'too many redirects');
}

async function driveAuthorize(provider, issuer, { url, account = 'alice', approve = true }) {
  if (typeof url !== 'string') throw new DriveError(400, '"url" must be the authorization URL');
  const target = new URL(url);
  if (target.origin !== new URL(issuer).origin) {
    throw new DriveError(400, `url must be on ${issuer}`);
  }
  const browser = new Browser(issuer);
  const first = await browser.request('GET', target.href);
  const redirect = await follow(provider, browser, first, String(account), approve !== false);
  if (!redirect) throw new DriveError(400, 'authorization ended on a page, not a redirect', first.body);
  return { redirect };
}

// oidc-provider stores user codes upper-cased without separators.
const normalizeUserCode = (code) => code.toUpperCase().replace(/\W/g, '');

async function driveDevice(provider, issuer, { user_code: userCode, account = 'alice', approve = true }) {
  if (typeof userCode !== 'string' || !userCode) throw new DriveError(400, '"user_code" is required');
  const code = await provider.DeviceCode.findByUserCode(normalizeUserCode(userCode), { ignoreExpiration: true });
  if (!code) throw new DriveError(404, `no device authorization with user_code ${userCode}`);
  if (code.isExpired) throw new DriveError(409, `user_code ${userCode} has expired`);
  if (code.accountId || code.error || code.inFlight) {
    throw new DriveError(409, `user_code ${userCode} was already used`);
  }

  // The verification page, as the user would open it, for its xsrf token.
  const browser = new Browser(issuer);
  const page = await browser.request('GET', provider.urlFor('code_verification'));
  const xsrf = page.body.match(/name="xsrf" value="([^"]+)"/)?.[1];
  if (!xsrf) throw new DriveError(500, 'no xsrf token on the device verification page', page.body);

  const form = { xsrf, user_code: userCode };
  if (approve === false) form.abort = 'yes';
  else form.confirm = 'yes';
  const response = await browser.request('POST', provider.urlFor('code_verification'), form);
  if (approve !== false) await follow(provider, browser, response, String(account), true);

  const after = await provider.DeviceCode.find(code.jti, { ignoreExpiration: true });
  if (approve !== false && !after?.accountId) {
    throw new DriveError(500, 'device authorization was not approved', response.body);
  }
  if (approve === false && after?.error !== 'access_denied') {
    throw new DriveError(500, 'device authorization was not denied', response.body);
  }
  return { result: approve === false ? 'denied' : 'approved' };
}

// ---------------------------------------------------------------------------
// /_test/ control endpoints.

async function readJson(req) {
  const text = (await readBody(req)).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DriveError(400, `body is not JSON: ${err.message}`);
  }
}

function addFailure(rule) {
  if (typeof rule.path !== 'string' || !rule.path.startsWith('/') || rule.path.startsWith('/_test/')) {
    throw new DriveError(400, '"path" must be a server path such as /token');
  }
  const count = rule.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new DriveError(400, '"count" must be a positive integer');
  const status = rule.status ?? 500;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new DriveError(400, '"status" must be an HTTP status code');
  }
  const isObject = rule.body !== null && typeof rule.body === 'object';
  const body = isObject ? JSON.stringify(rule.body) : String(rule.body ?? '');
  const contentType = rule.contentType !== undefined
    ? rule.contentType
    : isObject ? 'application/json' : 'text/plain; charset=utf-8';
  const queue = failures.get(rule.path) ?? [];
  queue.push({ remaining: count, status, body, contentType, headers: rule.headers ?? {} });
  failures.set(rule.path, queue);
  return { path: rule.path, pending: queue.reduce((sum, entry) => sum + entry.remaining, 0) };
}

async function control(req, res, url, provider, issuer) {
  const route = `${req.method} ${url.pathname}`;
  try {
    switch (route) {
      case 'GET /_test/requests':
        return sendJson(res, 200, recorded);
      case 'DELETE /_test/requests': {
        const cleared = recorded.length;
        recorded = [];
        return sendJson(res, 200, { cleared });
      }
      case 'POST /_test/fail':
        return sendJson(res, 200, addFailure(await readJson(req)));
      case 'DELETE /_test/fail': {
        let cleared = 0;
        for (const queue of failures.values()) for (const entry of queue) cleared += entry.remaining;
        failures.clear();
        return sendJson(res, 200, { cleared });
      }
      case 'POST /_test/authorize':
        return sendJson(res, 200, await driveAuthorize(provider, issuer, await readJson(req)));
      case 'POST /_test/device':
        return sendJson(res, 200, await driveDevice(provider, issuer, await readJson(req)));
      default:
        return sendJson(res, 404, { error: `no control endpoint ${route}` });
    }
  } catch (err) {
    if (!(err instanceof DriveError)) console.error(`${route}:`, err);
    return sendJson(res, err.status ?? 500, {
      error: err.message,
      ...(err.detail !== undefined ? { detail: err.detail } : {}),
    });
  }
}

// ---------------------------------------------------------------------------
// The front layer: control endpoints, discovery modes, recording and
// injected failures, then oidc-provider.

async function handle(req, res, provider, callback, issuer) {
  const url = new URL(req.url, issuer);
  const path = url.pathname;
  if (path.startsWith('/_test/')) return control(req, res, url, provider, issuer);

  const fromDriver = req.headers['x-test-driver'] === driverSecret;

  if (RECORDED_PATHS.has(path) && !fromDriver) {
    const body = req.method === 'POST' ? await readBody(req) : Buffer.alloc(0);
    const params = parseParams(req, url, body);
    const entry = {
      method: req.method,
      path,
      authorization: req.headers.authorization ?? null,
      contentType: req.headers['content-type'] ?? null,
      params,
      body: body.toString('utf8'),
      injected: false,
    };
    recorded.push(entry);

    const rule = takeFailure(path);
    if (rule) {
      entry.injected = true;
      return sendFailure(res, rule);
    }

    if (req.method === 'POST') {
      // Auth0-style "audience" is read as an RFC 8707 resource indicator, so
      // a client configured either way gets an audience-restricted token.
      let forward = body;
      if (params.audience !== undefined && params.resource === undefined
          && (path === '/token' || path === '/device/auth')) {
        const form = new URLSearchParams(body.toString('utf8'));
        for (const audience of [].concat(params.audience)) form.append('resource', audience);
        forward = Buffer.from(form.toString());
      }
      // The stream is spent; oidc-provider reads an already-read body from
      // req.body (and says so once on stderr).
      req.body = forward;
    }
  } else if (!fromDriver) {
    const rule = takeFailure(path);
    if (rule) {
      req.resume();
      return sendFailure(res, rule);
    }
  }

  // Discovery: RFC 8414's document is oidc-provider's OpenID one served at
  // the other well-known path, and each can be switched off.
  if (path === OPENID_WELL_KNOWN && discoveryMode !== 'openid' && discoveryMode !== 'both') {
    return sendNotFound(res);
  }
  if (path === OAUTH_WELL_KNOWN) {
    if (discoveryMode !== 'oauth' && discoveryMode !== 'both') return sendNotFound(res);
    req.url = OPENID_WELL_KNOWN + url.search;
  }

  return callback(req, res);
}

// ---------------------------------------------------------------------------

let app;
const server = https.createServer({
  cert: readFileSync(config.cert),
  key: readFileSync(config.key),
}, (req, res) => {
  const started = Date.now();
  res.on('finish', () => {
    console.error(`${req.method} ${req.url} -> ${res.statusCode} (${Date.now() - started} ms)`);
  });
  if (!app) {
    res.writeHead(503, { 'retry-after': '1' });
    res.end();
    return;
  }
  handle(req, res, app.provider, app.callback, app.issuer).catch((err) => {
    console.error('request failed:', err);
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: err.message });
    else res.destroy();
  });
});

server.listen(config.port ?? 0, '127.0.0.1');
await once(server, 'listening');
const issuer = `https://127.0.0.1:${server.address().port}`;
try {
  const provider = await buildProvider(issuer);
  app = { provider, callback: provider.callback(), issuer };
} catch (err) {
  console.error('cannot start the provider:', err);
  process.exit(1);
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}

process.stdout.write(`listening on ${issuer}\n`);
