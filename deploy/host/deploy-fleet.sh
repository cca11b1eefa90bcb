#!/bin/bash
# Runs on each instance of the scaled topology as root, once at first boot (a new release brings
# new instances, rolled out by the Auto Scaling groups): builds this release's image for the
# instance's role and starts it against the stack's ElastiCache broker (TLS, AUTH token).
# Usage: deploy-fleet.sh RELEASE_DIR ROLE    ROLE: web (proxy + web), worker, or beat (beat + metrics)
set -euo pipefail

release=$(realpath "$1")
role=$2
# shellcheck source=deploy/host/common.sh
# deploy.env has, besides what common.sh lists: PHOTOSHARE_SITE_URL, PHOTOSHARE_SESSION_SECRET_ARN,
# BROKER_HOST, BROKER_PORT, BROKER_AUTH_SECRET_ARN, WORKER_GROUP and WORKER_DRAIN_HOOK (from the
# stack's launch template)
source "$release/deploy/host/common.sh"

case "$role" in
  web) build=(web proxy); services=(web proxy) ;;
  worker) build=(worker); services=(worker consumer) ;;  # consumers share the upload queue safely
  beat) build=(worker); services=(beat metrics) ;;
  *) echo "unknown role '$role' (web, worker or beat)" >&2; exit 1 ;;
esac

bash "$release/deploy/host/install-compose.sh"

# rediss://: TLS to ElastiCache, its certificate checked (photoshare_shared.jobs); the token is
# letters and digits only, so it needs no escaping in the URL.
umask 077
{
  shared_compose_env
  echo "PHOTOSHARE_SECRET_KEY=$(secret "$PHOTOSHARE_SESSION_SECRET_ARN")"
  echo "PHOTOSHARE_ORIGIN_SECRET=$(secret "$PHOTOSHARE_ORIGIN_SECRET_ARN")"
  echo "REDIS_URL=rediss://:$(secret "$BROKER_AUTH_SECRET_ARN")@$BROKER_HOST:$BROKER_PORT/0"
  # CloudFront, the load balancer and the instance's nginx each add to X-Forwarded-For.
  echo "PHOTOSHARE_TRUSTED_PROXIES=3"
} > "$state/compose.env"

# The load balancer sets X-Forwarded-Proto to its own listener's scheme (http), so the web cannot
# learn the viewer's https from the proxies here: its absolute links start with the site's address
# instead (compose passes PHOTOSHARE_SITE_URL on from this environment).
export PHOTOSHARE_SITE_URL

# --no-deps: the broker is ElastiCache, not the compose file's redis container.
"${compose[@]}" build "${build[@]}"
"${compose[@]}" up -d --no-deps "${services[@]}"
ln -sfn "$release" /opt/photoshare/current

if [ "$role" = worker ]; then
  # Scale-in: the group's lifecycle hook holds the instance until its jobs are done.
  systemd-run --unit photoshare-drain --property Restart=always \
    bash "$release/deploy/host/drain-on-scale-in.sh" "$release"
fi

if [ "$role" = web ]; then
  wait_until_serving "$APP_VERSION ($role)" || exit 1
  exit 0
fi
"${compose[@]}" ps
echo "photoshare $APP_VERSION ($role) is running"
