#!/bin/bash
# Runs on the EC2 host as root (from cfn-init, on first boot and on every stack update):
# builds this release's images and (re)starts redis, web, proxy, worker, beat, metrics and consumer against the real
# bucket and table, then waits until the web answers. Usage: deploy.sh RELEASE_DIR
set -euo pipefail

release=$(realpath "$1")
state=/etc/photoshare
# shellcheck source=/dev/null
# APP_VERSION, AWS_REGION, PHOTOSHARE_BUCKET, PHOTOSHARE_TABLE, PHOTOSHARE_COGNITO_USER_POOL_ID,
# PHOTOSHARE_COGNITO_CLIENT_ID, PHOTOSHARE_ORIGIN_SECRET_ARN, PHOTOSHARE_METRICS_STACK (from the stack)
source "$state/deploy.env"

bash "$release/deploy/host/install-compose.sh"

# One secret per host, made on first deploy and kept across releases (sessions, CSRF tokens).
if [ ! -s "$state/secret.env" ]; then
  umask 077
  echo "PHOTOSHARE_SECRET_KEY=$(openssl rand -hex 32)" > "$state/secret.env"
fi

# The header CloudFront sends with every request; the web refuses requests without it.
origin_secret=$(aws secretsmanager get-secret-value --region "$AWS_REGION" \
  --secret-id "$PHOTOSHARE_ORIGIN_SECRET_ARN" --query SecretString --output text)

# compose.aws.yaml reads these; WEB_BIND/WEB_PORT publish the proxy (nginx, in front of the web)
# on port 80 of the host, which only CloudFront reaches (through its VPC origin): two proxies,
# CloudFront then nginx, whose X-Forwarded-For and X-Forwarded-Proto count.
umask 077
{
  cat "$state/secret.env"
  echo "AWS_REGION=$AWS_REGION"
  echo "PHOTOSHARE_BUCKET=$PHOTOSHARE_BUCKET"
  echo "PHOTOSHARE_TABLE=$PHOTOSHARE_TABLE"
  echo "PHOTOSHARE_COGNITO_USER_POOL_ID=$PHOTOSHARE_COGNITO_USER_POOL_ID"
  echo "PHOTOSHARE_COGNITO_CLIENT_ID=$PHOTOSHARE_COGNITO_CLIENT_ID"
  echo "PHOTOSHARE_TRUSTED_PROXIES=2"
  echo "PHOTOSHARE_ORIGIN_SECRET=$origin_secret"
  echo "PHOTOSHARE_METRICS_STACK=$PHOTOSHARE_METRICS_STACK"
  echo "WEB_BIND=0.0.0.0"
  echo "WEB_PORT=80"
  echo "IMAGE_TAG=$APP_VERSION"
} > "$state/compose.env"

# A fixed project name keeps the redis-data volume (queued jobs) across releases.
compose=(docker compose --project-name photoshare --project-directory "$release"
         -f "$release/compose.yaml" -f "$release/compose.aws.yaml" --env-file "$state/compose.env")
"${compose[@]}" build web proxy worker
"${compose[@]}" up -d --remove-orphans redis web proxy worker beat metrics consumer
ln -sfn "$release" /opt/photoshare/current

for _ in $(seq 1 60); do
  if curl -fsS --max-time 5 http://127.0.0.1:80/healthz >/dev/null; then
    echo "photoshare $APP_VERSION is serving"
    # Keep the three newest releases and drop images no container uses.
    ls -1dt /opt/photoshare/releases/* | tail -n +4 | xargs -r rm -rf
    docker image prune -f >/dev/null
    exit 0
  fi
  sleep 5
done
echo "photoshare $APP_VERSION: web did not answer /healthz within 5 minutes" >&2
"${compose[@]}" ps >&2
exit 1
