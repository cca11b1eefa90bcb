#!/bin/bash
# Runs on the EC2 host as root (from cfn-init, on first boot and on every stack update):
# builds this release's images and (re)starts redis, web, proxy, worker, beat, metrics and consumer against the real
# bucket and table, then waits until the web answers. Usage: deploy.sh RELEASE_DIR
set -euo pipefail

release=$(realpath "$1")
# shellcheck source=deploy/host/common.sh
source "$release/deploy/host/common.sh"

bash "$release/deploy/host/install-compose.sh"

# One secret per host, made on first deploy and kept across releases (sessions, CSRF tokens).
if [ ! -s "$state/secret.env" ]; then
  umask 077
  echo "PHOTOSHARE_SECRET_KEY=$(openssl rand -hex 32)" > "$state/secret.env"
fi

# The header CloudFront sends with every request; the web refuses requests without it.
origin_secret=$(secret "$PHOTOSHARE_ORIGIN_SECRET_ARN")

# The proxy on port 80 is reached only by CloudFront (through its VPC origin): two proxies,
# CloudFront then nginx, whose X-Forwarded-For and X-Forwarded-Proto count.
umask 077
{
  cat "$state/secret.env"
  shared_compose_env
  echo "PHOTOSHARE_TRUSTED_PROXIES=2"
  echo "PHOTOSHARE_ORIGIN_SECRET=$origin_secret"
} > "$state/compose.env"

"${compose[@]}" build web proxy worker
"${compose[@]}" up -d --remove-orphans redis web proxy worker beat metrics consumer
ln -sfn "$release" /opt/photoshare/current

wait_until_serving "$APP_VERSION" || exit 1
# Keep the three newest releases and drop images no container uses.
ls -1dt /opt/photoshare/releases/* | tail -n +4 | xargs -r rm -rf
docker image prune -f >/dev/null
