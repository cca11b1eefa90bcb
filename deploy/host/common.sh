# shellcheck shell=bash
# Sourced by the host scripts (deploy.sh, deploy-fleet.sh, drain-on-scale-in.sh) once they have set
# $release: what the single host and every fleet instance do alike. Usage: source common.sh

state=/etc/photoshare
# shellcheck source=/dev/null
# APP_VERSION, AWS_REGION, PHOTOSHARE_BUCKET, PHOTOSHARE_TABLE, PHOTOSHARE_COGNITO_USER_POOL_ID,
# PHOTOSHARE_COGNITO_CLIENT_ID, PHOTOSHARE_ORIGIN_SECRET_ARN, PHOTOSHARE_METRICS_STACK (from the stack),
# and the fleet's own (see deploy-fleet.sh)
source "$state/deploy.env"

# A fixed project name keeps the redis-data volume (queued jobs) across releases.
compose=(docker compose --project-name photoshare --project-directory "$release"
         -f "$release/compose.yaml" -f "$release/compose.aws.yaml" --env-file "$state/compose.env")

secret() {  # secret ARN: the value of one of the stack's secrets
  aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$1" --query SecretString --output text
}

# The compose.env lines every topology writes alike: the stack's resources as compose.aws.yaml reads
# them, and WEB_BIND/WEB_PORT publishing the proxy (nginx, in front of the web) on port 80 of the host.
shared_compose_env() {
  echo "AWS_REGION=$AWS_REGION"
  echo "PHOTOSHARE_BUCKET=$PHOTOSHARE_BUCKET"
  echo "PHOTOSHARE_TABLE=$PHOTOSHARE_TABLE"
  echo "PHOTOSHARE_COGNITO_USER_POOL_ID=$PHOTOSHARE_COGNITO_USER_POOL_ID"
  echo "PHOTOSHARE_COGNITO_CLIENT_ID=$PHOTOSHARE_COGNITO_CLIENT_ID"
  echo "PHOTOSHARE_METRICS_STACK=$PHOTOSHARE_METRICS_STACK"
  echo "WEB_BIND=0.0.0.0"
  echo "WEB_PORT=80"
  echo "IMAGE_TAG=$APP_VERSION"
}

wait_until_serving() {  # wait_until_serving WHAT: up to 5 minutes for the web's /healthz
  for _ in $(seq 1 60); do
    if curl -fsS --max-time 5 http://127.0.0.1:80/healthz >/dev/null; then
      echo "photoshare $1 is serving"
      return 0
    fi
    sleep 5
  done
  echo "photoshare $APP_VERSION: web did not answer /healthz within 5 minutes" >&2
  "${compose[@]}" ps >&2
  return 1
}
