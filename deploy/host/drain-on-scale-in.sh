#!/bin/bash
# Runs on each worker instance (a systemd unit that deploy-fleet.sh starts): when the Auto Scaling
# group scales this instance in, its lifecycle hook (WorkerGroup, "drain-jobs") holds it in
# Terminating:Wait. Then stop the Celery worker warmly - it takes no new job and finishes the ones
# it runs, within the compose file's stop_grace_period (170 s, longer than the task time limit)
# and the hook's 300 s heartbeat - and let the termination go on.
# Should this never run (the instance lost), nothing is lost either: jobs are acknowledged only
# once done (acks_late), so Redis hands an unfinished one to another worker after the visibility timeout.
# Usage: drain-on-scale-in.sh RELEASE_DIR
set -uo pipefail

release=$(realpath "$1")
# shellcheck source=deploy/host/common.sh
source "$release/deploy/host/common.sh"

imds() {
  local token
  token=$(curl -fsS -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token) &&
    curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

until [ "$(imds autoscaling/target-lifecycle-state 2>/dev/null)" = Terminated ]; do
  sleep 5
done

echo "scale-in: stopping the worker warmly"
"${compose[@]}" stop worker
aws autoscaling complete-lifecycle-action --region "$AWS_REGION" \
  --auto-scaling-group-name "$WORKER_GROUP" --lifecycle-hook-name "$WORKER_DRAIN_HOOK" \
  --instance-id "$(imds instance-id)" --lifecycle-action-result CONTINUE
sleep infinity  # the instance terminates now; do not drain twice
