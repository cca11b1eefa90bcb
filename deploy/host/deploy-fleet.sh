#!/bin/bash
# Runs on each instance of the scaled topology as root, once at first boot (a new release brings
# new instances, rolled out by the Auto Scaling groups): builds this release's image for the
# instance's role and starts it against the stack's ElastiCache broker (TLS, AUTH token).
# Usage: deploy-fleet.sh RELEASE_DIR ROLE    ROLE: web (proxy + web), worker, or beat (beat + metrics)
set -euo pipefail

release=$(realpath "$1")
role=$2
state=/etc/photoshare
# shellcheck source=/dev/null
# As deploy.sh, plus PHOTOSHARE_SITE_URL, PHOTOSHARE_SESSION_SECRET_ARN, BROKER_HOST, BROKER_PORT, BROKER_AUTH_SECRET_ARN,
# WORKER_GROUP and WORKER_DRAIN_HOOK (from the stack's launch template)
source "$state/deploy.env"

case "$role" in
  web) build=(web proxy); services=(web proxy) ;;
  worker) build=(worker); services=(worker consumer) ;;  # consumers share the upload queue safely
  beat) build=(worker); services=(beat metrics) ;;
  *) echo "unknown role '$role' (web, worker or beat)" >&2; exit 1 ;;
esac

bash "$release/deploy/host/install-compose.sh"

secret() {
  aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$1" --query SecretString --output text
}

# rediss://: TLS to ElastiCache, its certificate checked (photoshare_shared.jobs); the token is
# letters and digits only, so it needs no escaping in the URL.
umask 077
{
  echo "AWS_REGION=$AWS_REGION"
  echo "PHOTOSHARE_BUCKET=$PHOTOSHARE_BUCKET"
  echo "PHOTOSHARE_TABLE=$PHOTOSHARE_TABLE"
  echo "PHOTOSHARE_COGNITO_USER_POOL_ID=$PHOTOSHARE_COGNITO_USER_POOL_ID"
  echo "PHOTOSHARE_COGNITO_CLIENT_ID=$PHOTOSHARE_COGNITO_CLIENT_ID"
  echo "PHOTOSHARE_METRICS_STACK=$PHOTOSHARE_METRICS_STACK"
  echo "PHOTOSHARE_SECRET_KEY=$(secret "$PHOTOSHARE_SESSION_SECRET_ARN")"
  echo "PHOTOSHARE_ORIGIN_SECRET=$(secret "$PHOTOSHARE_ORIGIN_SECRET_ARN")"
  echo "REDIS_URL=rediss://:$(secret "$BROKER_AUTH_SECRET_ARN")@$BROKER_HOST:$BROKER_PORT/0"
  # CloudFront, the load balancer and the instance's nginx each add to X-Forwarded-For.
  echo "PHOTOSHARE_TRUSTED_PROXIES=3"
  echo "WEB_BIND=0.0.0.0"
  echo "WEB_PORT=80"
  echo "IMAGE_TAG=$APP_VERSION"
} > "$state/compose.env"

# The load balancer sets X-Forwarded-Proto to its own listener's scheme (http), so the web cannot
# learn the viewer's https from the proxies here: its absolute links start with the site's address
# instead (compose passes PHOTOSHARE_SITE_URL on from this environment).
export PHOTOSHARE_SITE_URL

# --no-deps: the broker is ElastiCache, not the compose file's redis container.
compose=(docker compose --project-name photoshare --project-directory "$release"
         -f "$release/compose.yaml" -f "$release/compose.aws.yaml" --env-file "$state/compose.env")
"${compose[@]}" build "${build[@]}"
"${compose[@]}" up -d --no-deps "${services[@]}"
ln -sfn "$release" /opt/photoshare/current

if [ "$role" = worker ]; then
  # Scale-in: the group's lifecycle hook holds the instance until its jobs are done.
  systemd-run --unit photoshare-drain --property Restart=always \
    bash "$release/deploy/host/drain-on-scale-in.sh" "$release"
fi

if [ "$role" = web ]; then
  for _ in $(seq 1 60); do
    if curl -fsS --max-time 5 http://127.0.0.1:80/healthz >/dev/null; then
      echo "photoshare $APP_VERSION ($role) is serving"
      exit 0
    fi
    sleep 5
  done
  echo "photoshare $APP_VERSION: web did not answer /healthz within 5 minutes" >&2
  "${compose[@]}" ps >&2
  exit 1
fi
"${compose[@]}" ps
echo "photoshare $APP_VERSION ($role) is running"
