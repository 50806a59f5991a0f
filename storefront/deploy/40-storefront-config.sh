#!/bin/sh
# Run by the nginx image's entrypoint before nginx starts (/docker-entrypoint.d/): renders the
# run-time configuration of the storefront from the environment, so one image serves any gateway.
#
#   STOREFRONT_GATEWAY_URL     the gateway's GraphQL URL as browsers reach it
#                              (default http://localhost:4000/graphql)
#   STOREFRONT_SUBSCRIPTIONS   http (Apollo Router, multipart HTTP; default) or ws (Hive Gateway)
#
# Writes, under STOREFRONT_RUNTIME_DIR (default /tmp/storefront; the root file system may be
# read-only):
#   config.json    what the app reads at start
#   headers.conf   the security headers nginx adds to every answer, among them the
#                  Content-Security-Policy: this origin only (no inline script, no third-party
#                  origin), connections to the gateway's HTTP and WebSocket origins. The same
#                  policy as tools/storefront_server.py (a test compares them).
set -eu

url="${STOREFRONT_GATEWAY_URL:-http://localhost:4000/graphql}"
subscriptions="${STOREFRONT_SUBSCRIPTIONS:-http}"
out="${STOREFRONT_RUNTIME_DIR:-/tmp/storefront}"

case "$url" in
  http://?*|https://?*) ;;
  *) echo "storefront: STOREFRONT_GATEWAY_URL must be an absolute http(s) URL: $url" >&2; exit 1 ;;
esac
case "$url" in
  *\"*|*\\*|*\ *|*\;*|*\'*) echo "storefront: STOREFRONT_GATEWAY_URL has characters a URL does not: $url" >&2; exit 1 ;;
esac
case "$subscriptions" in
  http|ws) ;;
  *) echo "storefront: STOREFRONT_SUBSCRIPTIONS must be http or ws: $subscriptions" >&2; exit 1 ;;
esac

scheme="${url%%://*}"
rest="${url#*://}"
host="${rest%%/*}"
if [ "$scheme" = https ]; then ws=wss; else ws=ws; fi

policy="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' $scheme://$host $ws://$host; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

mkdir -p "$out"
printf '{"gatewayUrl":"%s","subscriptions":"%s"}\n' "$url" "$subscriptions" > "$out/config.json"
cat > "$out/headers.conf" <<CONF
add_header Content-Security-Policy "$policy" always;
add_header X-Content-Type-Options "nosniff" always;
add_header Referrer-Policy "no-referrer" always;
add_header X-Frame-Options "DENY" always;
add_header Cross-Origin-Opener-Policy "same-origin" always;
add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
CONF
echo "storefront: gateway $url, subscriptions over $subscriptions"
