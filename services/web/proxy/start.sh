#!/bin/sh
# Renders nginx.conf from the environment, then runs nginx in the foreground.
set -eu

: "${PHOTOSHARE_MAX_UPLOAD_MB:?set PHOTOSHARE_MAX_UPLOAD_MB, the web's upload limit in MB}"
# The web refuses a file over the limit with its own message; the multipart framing around the
# file needs a little more, so the proxy lets one more MB through before refusing by itself.
PROXY_MAX_BODY_MB=$((PHOTOSHARE_MAX_UPLOAD_MB + 1))
# The web's address, looked up again as containers come and go (a recreated web gets a new one).
PROXY_UPSTREAM=${PROXY_UPSTREAM:-web:8000}
PROXY_RESOLVER=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf)
export PHOTOSHARE_MAX_UPLOAD_MB PROXY_MAX_BODY_MB PROXY_UPSTREAM PROXY_RESOLVER

mkdir -p /tmp/nginx
# Only these names: nginx's own $variables stay as they are.
envsubst '${PHOTOSHARE_MAX_UPLOAD_MB} ${PROXY_MAX_BODY_MB} ${PROXY_UPSTREAM} ${PROXY_RESOLVER}' \
  < /etc/photoshare-proxy/nginx.conf.template > /tmp/nginx/nginx.conf
exec nginx -c /tmp/nginx/nginx.conf -e stderr -g "daemon off;"
