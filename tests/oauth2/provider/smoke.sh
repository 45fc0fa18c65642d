#!/usr/bin/env bash
# Self-check of the test OAuth server: installs it, starts it with a
# throwaway CA and server certificate, and drives every feature the C++ tests
# rely on with curl (TLS verification on, against that CA).
#   smoke.sh [WORK_DIR]     (default: $TMPDIR/tokenbroker-oauth2-provider)
# Prints PASS/FAIL per check and exits non-zero if any check failed.
set -uo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work_dir=${1:-${TMPDIR:-/tmp}/tokenbroker-oauth2-provider}
bash "$source_dir/../../support/npm-install.sh" "$source_dir" "$work_dir" || { echo "FAIL install" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/oauth2-provider-smoke-XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n ${KEEP_SMOKE_DIR:-} ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

passed=0
failed=0

# ---------------------------------------------------------------- helpers

# node with the installed packages (jose) importable.
js() { (cd "$work_dir" && node --input-type=module -e "$@"); }

# Evaluates a JavaScript expression over the JSON text $1 bound to `o`;
# prints strings bare and anything else as JSON.
jv() {
  node -e '
    let o; try { o = JSON.parse(process.argv[1]); } catch { o = undefined; }
    let v; try { v = new Function("o", `return (${process.argv[2]});`)(o); } catch { v = undefined; }
    process.stdout.write(v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));
  ' "$1" "$2"
}

# check NAME WANT_STATUS JS_EXPR: the last response had WANT_STATUS and the
# expression over its JSON body (as `o`) is truthy.
check() {
  local name=$1 want=$2 expr=$3
  if [[ $status == "$want" && $(jv "$body" "Boolean($expr)") == true ]]; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name: HTTP $status (want $want), body: ${body:0:400}"
    failed=$((failed + 1))
  fi
}

# req METHOD PATH [curl args...]: sets $status, $body and $headers.
req() {
  local method=$1 path=$2
  shift 2
  status=$(curl -sS --cacert "$tmp/ca.pem" -X "$method" -o "$tmp/body" -D "$tmp/headers" \
    -w '%{http_code}' "$@" "$url$path")
  body=$(cat "$tmp/body")
  headers=$(cat "$tmp/headers")
}

# Control endpoints take JSON.
control() {
  local args=(-H 'content-type: application/json')
  [[ $# -ge 3 ]] && args+=(--data "$3")
  req "$1" "/_test/$2" "${args[@]}"
}

# start_server NAME CONFIG_JSON: starts provider.mjs and sets $url from its
# first stdout line (polled, not slept on).
start_server() {
  local name=$1
  printf '%s' "$2" >"$tmp/$name.json"
  node "$work_dir/provider.mjs" "$tmp/$name.json" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 400); do
    [[ $(wc -l <"$tmp/$name.out" 2>/dev/null) -ge 1 ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  local line
  line=$(head -n 1 "$tmp/$name.out")
  if [[ $line != "listening on https://127.0.0.1:"* ]]; then
    echo "FAIL start $name: first line '$line'"
    cat "$tmp/$name.err"
    exit 1
  fi
  url=${line#listening on }
}

# sign_jwt JWK_FILE ISS SUB AUD EXPIRES_IN: a signed JWT (client assertion
# or RFC 7523 grant assertion).
sign_jwt() {
  js '
    import { SignJWT, importJWK } from "jose";
    import { readFileSync } from "node:fs";
    import { randomUUID } from "node:crypto";
    const [file, iss, sub, aud, expiresIn] = process.argv.slice(1);
    const jwk = JSON.parse(readFileSync(file, "utf8"));
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid })
      .setIssuer(iss).setSubject(sub).setAudience(aud).setIssuedAt().setJti(randomUUID())
      .setExpirationTime(Math.floor(Date.now() / 1000) + Number(expiresIn))
      .sign(await importJWK(jwk, jwk.alg));
    process.stdout.write(jwt);
  ' "$@"
}

query_param() {
  node -e 'process.stdout.write(new URL(process.argv[1]).searchParams.get(process.argv[2]) ?? "")' "$1" "$2"
}

# --------------------------------------------------------------- fixtures

# A CA and a server certificate for 127.0.0.1 signed by it.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=oauth2 smoke CA' \
  -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' \
  -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tmp/ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days 1 -extfile "$tmp/ext" -out "$tmp/server.pem" 2>/dev/null || { echo "FAIL openssl"; exit 1; }

# Key pairs: the private_key_jwt client's (RS256), a trusted jwt-bearer
# issuer's (ES256) and a stranger's (ES256, signs the bad assertion).
js '
  import { generateKeyPair, exportJWK } from "jose";
  import { writeFileSync } from "node:fs";
  const dir = process.argv[1];
  for (const [name, alg] of [["client", "RS256"], ["issuer", "ES256"], ["stranger", "ES256"]]) {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `${name}-key`;
    writeFileSync(`${dir}/${name}.private.jwk`, JSON.stringify({ ...await exportJWK(privateKey), alg, kid }));
    writeFileSync(`${dir}/${name}.public.jwk`, JSON.stringify({ ...await exportJWK(publicKey), alg, kid, use: "sig" }));
  }
' "$tmp" || { echo "FAIL key generation"; exit 1; }

tls="\"cert\": \"$tmp/server.pem\", \"key\": \"$tmp/server.key\""
redirect_uri=http://127.0.0.1:9/callback

config=$(cat <<EOF
{
  $tls,
  "discovery": "openid",
  "deviceInterval": 1,
  "resources": {
    "https://api.example.test/": { "scope": "read write", "accessTokenTTL": 300 }
  },
  "jwtBearer": { "issuers": { "https://idp.example.test": $(cat "$tmp/issuer.public.jwk") } },
  "clients": [
    { "client_id": "cc-basic", "client_secret": "basic-secret", "grant_types": ["client_credentials"],
      "token_endpoint_auth_method": "client_secret_basic", "scope": "read write" },
    { "client_id": "cc-post", "client_secret": "post-secret", "grant_types": ["client_credentials"],
      "token_endpoint_auth_method": "client_secret_post", "scope": "read" },
    { "client_id": "cc-jwt", "grant_types": ["client_credentials"],
      "token_endpoint_auth_method": "private_key_jwt", "scope": "read",
      "jwks": { "keys": [$(cat "$tmp/client.public.jwk")] } },
    { "client_id": "bearer", "grant_types": ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
      "token_endpoint_auth_method": "none", "scope": "read write" },
    { "client_id": "app", "token_endpoint_auth_method": "none",
      "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
      "redirect_uris": ["$redirect_uri"] },
    { "client_id": "tv", "token_endpoint_auth_method": "none",
      "grant_types": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"] }
  ]
}
EOF
)

# --------------------------------------------------------------- discovery

start_server oauth-mode "{ $tls, \"discovery\": \"oauth\", \"clients\": [] }"
oauth_url=$url
start_server none-mode "{ $tls, \"discovery\": \"none\", \"clients\": [] }"
none_url=$url
start_server both-mode "{ $tls, \"discovery\": \"both\", \"clients\": [] }"
both_url=$url
start_server main "$config"
main_url=$url

req GET /.well-known/openid-configuration
check 'discovery openid: openid-configuration served' 200 \
  "o.issuer === '$main_url' && o.token_endpoint === '$main_url/token'
   && o.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:jwt-bearer')
   && o.device_authorization_endpoint === '$main_url/device/auth'"
req GET /.well-known/oauth-authorization-server
check 'discovery openid: oauth-authorization-server 404' 404 'true'

url=$oauth_url
req GET /.well-known/oauth-authorization-server
check 'discovery oauth: oauth-authorization-server served' 200 \
  "o.issuer === '$oauth_url' && o.token_endpoint === '$oauth_url/token'"
req GET /.well-known/openid-configuration
check 'discovery oauth: openid-configuration 404' 404 'true'

url=$none_url
req GET /.well-known/openid-configuration
check 'discovery none: openid-configuration 404' 404 'true'
req GET /.well-known/oauth-authorization-server
check 'discovery none: oauth-authorization-server 404' 404 'true'

url=$both_url
req GET /.well-known/openid-configuration
openid_doc=$body
req GET /.well-known/oauth-authorization-server
check 'discovery both: the same document at both paths' 200 "JSON.stringify(o) === JSON.stringify($openid_doc)"

url=$main_url

# ------------------------------------------------------- client credentials

control DELETE requests
req POST /token -u cc-basic:basic-secret -d grant_type=client_credentials -d scope=read
check 'client_credentials client_secret_basic' 200 \
  "o.token_type === 'Bearer' && o.access_token && o.expires_in > 0 && o.scope === 'read'"

control GET requests
check 'recorded: Basic header and form params' 200 \
  "o.length === 1 && o[0].path === '/token' && o[0].method === 'POST'
   && o[0].authorization === 'Basic ' + Buffer.from('cc-basic:basic-secret').toString('base64')
   && o[0].contentType === 'application/x-www-form-urlencoded'
   && o[0].params.grant_type === 'client_credentials' && o[0].params.scope === 'read'"

req POST /token -d grant_type=client_credentials -d client_id=cc-post -d client_secret=post-secret
check 'client_credentials client_secret_post' 200 "o.token_type === 'Bearer' && o.access_token"

req POST /token -u cc-basic:wrong-secret -d grant_type=client_credentials
check 'client_credentials wrong secret -> invalid_client' 401 "o.error === 'invalid_client'"

assertion=$(sign_jwt "$tmp/client.private.jwk" cc-jwt cc-jwt "$url/token" 60)
req POST /token -d grant_type=client_credentials -d client_id=cc-jwt \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  -d "client_assertion=$assertion"
check 'client_credentials private_key_jwt' 200 "o.token_type === 'Bearer' && o.access_token"

req POST /token -d grant_type=client_credentials -d client_id=cc-jwt \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  -d "client_assertion=$assertion"
check 'private_key_jwt assertion replay -> invalid_client' 401 "o.error === 'invalid_client'"

req POST /token -d grant_type=client_credentials -d client_id=no-such-client
check 'auth none with unknown client -> invalid_client' 401 "o.error === 'invalid_client'"

req POST /token -u cc-basic:basic-secret -d grant_type=client_credentials -d scope='read write' \
  --data-urlencode resource=https://api.example.test/
token=$(jv "$body" o.access_token)
check 'resource indicator -> JWT access token for the resource' 200 \
  "o.scope === 'read write' && o.expires_in === 300
   && JSON.parse(Buffer.from(o.access_token.split('.')[1], 'base64url')).aud === 'https://api.example.test/'
   && JSON.parse(Buffer.from(o.access_token.split('.')[1], 'base64url')).client_id === 'cc-basic'"

req POST /token -u cc-basic:basic-secret -d grant_type=client_credentials -d scope=read \
  --data-urlencode audience=https://api.example.test/
check 'audience parameter read as resource indicator' 200 \
  "JSON.parse(Buffer.from(o.access_token.split('.')[1], 'base64url')).aud === 'https://api.example.test/'"

req POST /token -u cc-basic:basic-secret -d grant_type=client_credentials \
  --data-urlencode resource=https://other.example.test/
check 'unknown resource -> invalid_target' 400 "o.error === 'invalid_target'"

# ---------------------------------------------------------------- jwt-bearer

grant=urn:ietf:params:oauth:grant-type:jwt-bearer
assertion=$(sign_jwt "$tmp/issuer.private.jwk" https://idp.example.test bob "$url" 300)
req POST /token -d client_id=bearer --data-urlencode "grant_type=$grant" \
  --data-urlencode "assertion=$assertion" -d scope=read
check 'jwt-bearer good assertion' 200 \
  "o.token_type === 'Bearer' && o.access_token && o.expires_in > 0 && o.scope === 'read'"
bearer_token=$(jv "$body" o.access_token)
req POST /token/introspection -u cc-basic:basic-secret -d "token=$bearer_token"
check 'jwt-bearer access token is a provider token (introspection)' 200 \
  "o.active === true && o.sub === 'bob' && o.client_id === 'bearer' && o.scope === 'read'"

assertion=$(sign_jwt "$tmp/stranger.private.jwk" https://idp.example.test bob "$url" 300)
req POST /token -d client_id=bearer --data-urlencode "grant_type=$grant" --data-urlencode "assertion=$assertion"
check 'jwt-bearer bad signature -> invalid_grant' 400 \
  "o.error === 'invalid_grant' && /signature/.test(o.error_description)"

assertion=$(sign_jwt "$tmp/issuer.private.jwk" https://idp.example.test bob https://elsewhere.example.test 300)
req POST /token -d client_id=bearer --data-urlencode "grant_type=$grant" --data-urlencode "assertion=$assertion"
check 'jwt-bearer wrong aud -> invalid_grant' 400 "o.error === 'invalid_grant' && /aud/.test(o.error_description)"

assertion=$(sign_jwt "$tmp/issuer.private.jwk" https://idp.example.test bob "$url" 7200)
req POST /token -d client_id=bearer --data-urlencode "grant_type=$grant" --data-urlencode "assertion=$assertion"
check 'jwt-bearer exp over 1h -> invalid_grant' 400 "o.error === 'invalid_grant'"

# ---------------------------------------------------------- injected failures

control POST fail '{"path": "/token", "count": 1, "status": 500, "body": "<html>oops</html>", "contentType": "text/html"}'
check 'queue a 500' 200 "o.pending === 1"
req POST /token -u cc-basic:basic-secret -d grant_type=client_credentials
check 'forced 500 with HTML body' 500 "true"
[[ $body == '<html>oops</html>' && $headers == *'content-type: text/html'* ]] \
  && { echo 'PASS forced 500 body and content type'; passed=$((passed + 1)); } \
  || { echo "FAIL forced 500 body and content type: $body"; failed=$((failed + 1)); }
req POST /token -u cc-basic:basic-secret -d grant_type=client_credentials
check 'after the forced 500 the provider answers again' 200 "o.access_token"

control POST fail '{"path": "/token", "count": 2, "status": 400, "body": {"error": "slow_down"}}'
req POST /token -u cc-basic:basic-secret -d grant_type=client_credentials
check 'forced slow_down (1 of 2)' 400 "o.error === 'slow_down'"
req POST /token -u cc-basic:basic-secret -d grant_type=client_credentials
check 'forced slow_down (2 of 2)' 400 "o.error === 'slow_down'"

control POST fail '{"path": "/token", "status": 503, "headers": {"Retry-After": "7"}}'
req POST /token -u cc-basic:basic-secret -d grant_type=client_credentials
[[ $status == 503 && ${headers,,} == *'retry-after: 7'* ]] \
  && { echo 'PASS forced 503 with Retry-After'; passed=$((passed + 1)); } \
  || { echo "FAIL forced 503 with Retry-After: $status $headers"; failed=$((failed + 1)); }

control POST fail '{"path": "/token", "count": 5, "status": 502}'
control DELETE fail
check 'clear queued failures' 200 "o.cleared === 5"
req POST /token -u cc-basic:basic-secret -d grant_type=client_credentials
check 'after clearing, the provider answers' 200 "o.access_token"

control POST fail '{"path": "/.well-known/openid-configuration", "status": 500, "body": "down"}'
req GET /.well-known/openid-configuration
check 'forced discovery failure' 500 "true"
req GET /.well-known/openid-configuration
check 'discovery answers again' 200 "o.issuer === '$main_url'"

control GET requests
check 'injected responses are recorded and marked' 200 \
  "o.filter((r) => r.injected).length === 5 && o.at(-2).injected === true
   && o.at(-2).method === 'GET' && o.at(-2).path === '/.well-known/openid-configuration'"

# --------------------------------------------- authorization_code + PKCE

verifier=$(openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n')
challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')
auth_url="$url/auth?client_id=app&response_type=code&scope=openid%20offline_access&state=st4te"
auth_url+="&redirect_uri=$(jv "\"$redirect_uri\"" 'encodeURIComponent(o)')"
auth_url+="&code_challenge=$challenge&code_challenge_method=S256"

control POST authorize "{\"url\": \"$auth_url\", \"account\": \"alice\", \"approve\": true}"
redirect=$(jv "$body" o.redirect)
check 'authorize: redirect back with code and state' 200 \
  "o.redirect.startsWith('$redirect_uri?') && new URL(o.redirect).searchParams.get('code')
   && new URL(o.redirect).searchParams.get('state') === 'st4te'"
code=$(query_param "$redirect" code)

req POST /token -d grant_type=authorization_code -d client_id=app -d "code=$code" \
  --data-urlencode "redirect_uri=$redirect_uri" -d "code_verifier=$verifier"
check 'authorization_code + PKCE exchange' 200 \
  "o.access_token && o.refresh_token && o.id_token && o.token_type === 'Bearer'
   && JSON.parse(Buffer.from(o.id_token.split('.')[1], 'base64url')).sub === 'alice'"
refresh1=$(jv "$body" o.refresh_token)

req POST /token -d grant_type=refresh_token -d client_id=app -d "refresh_token=$refresh1"
refresh2=$(jv "$body" o.refresh_token)
check 'refresh rotates the refresh token' 200 \
  "o.access_token && o.refresh_token && o.refresh_token !== '$refresh1'"

req POST /token -d grant_type=refresh_token -d client_id=app -d "refresh_token=$refresh1"
check 'reuse of the rotated refresh token -> invalid_grant' 400 "o.error === 'invalid_grant'"
req POST /token -d grant_type=refresh_token -d client_id=app -d "refresh_token=$refresh2"
check 'reuse revoked the grant: newest refresh token dead too' 400 "o.error === 'invalid_grant'"

req POST /token -d grant_type=authorization_code -d client_id=app -d "code=$code" \
  --data-urlencode "redirect_uri=$redirect_uri" -d "code_verifier=$verifier"
check 'authorization code reuse -> invalid_grant' 400 "o.error === 'invalid_grant'"

control POST authorize "{\"url\": \"$auth_url\", \"account\": \"alice\", \"approve\": false}"
check 'authorize denied -> access_denied redirect' 200 \
  "new URL(o.redirect).searchParams.get('error') === 'access_denied'
   && new URL(o.redirect).searchParams.get('state') === 'st4te'"

# ----------------------------------------------------------------- device

req POST /device/auth -d client_id=tv -d 'scope=openid offline_access'
check 'device authorization' 200 "o.device_code && o.user_code && o.verification_uri && o.interval === 1"
device_code=$(jv "$body" o.device_code)
user_code=$(jv "$body" o.user_code)

device_grant=urn:ietf:params:oauth:grant-type:device_code
req POST /token -d client_id=tv --data-urlencode "grant_type=$device_grant" -d "device_code=$device_code"
check 'device_code before approval -> authorization_pending' 400 "o.error === 'authorization_pending'"

control POST device "{\"user_code\": \"$user_code\", \"account\": \"carol\", \"approve\": true}"
check 'approve the device' 200 "o.result === 'approved'"

req POST /token -d client_id=tv --data-urlencode "grant_type=$device_grant" -d "device_code=$device_code"
check 'device_code after approval -> tokens' 200 \
  "o.access_token && o.refresh_token && o.id_token
   && JSON.parse(Buffer.from(o.id_token.split('.')[1], 'base64url')).sub === 'carol'"
device_refresh=$(jv "$body" o.refresh_token)

req POST /token -d client_id=tv -d grant_type=refresh_token -d "refresh_token=$device_refresh"
check 'device refresh token works' 200 "o.access_token && o.refresh_token !== '$device_refresh'"

req POST /device/auth -d client_id=tv -d scope=openid
denied_code=$(jv "$body" o.device_code)
control POST device "{\"user_code\": \"$(jv "$body" o.user_code)\", \"approve\": false}"
check 'deny the device' 200 "o.result === 'denied'"
req POST /token -d client_id=tv --data-urlencode "grant_type=$device_grant" -d "device_code=$denied_code"
check 'denied device_code -> access_denied' 400 "o.error === 'access_denied'"

control POST device '{"user_code": "BCDF-GHJK"}'
check 'unknown user_code -> 404' 404 "o.error"

control GET requests
check 'device requests recorded' 200 "o.some((r) => r.path === '/device/auth' && r.params.client_id === 'tv')"

if [[ $failed -ne 0 ]]; then
  echo "--- main server stderr (last 40 lines)"
  tail -n 40 "$tmp/main.err"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
