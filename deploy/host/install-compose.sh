#!/bin/bash
# Installs pinned Docker Compose v2 and buildx CLI plugins (Amazon Linux 2023's docker package
# ships neither), each checked against the checksum file published with its release.
set -euo pipefail

COMPOSE_VERSION=v2.29.7
BUILDX_VERSION=v0.17.1
PLUGINS=/usr/local/lib/docker/cli-plugins
RELEASES=https://github.com/docker

case "$(uname -m)" in
  x86_64) compose_arch=x86_64; buildx_arch=amd64 ;;
  aarch64) compose_arch=aarch64; buildx_arch=arm64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

fetch() {  # fetch URL DEST EXPECTED_SHA256
  curl -fsSL --retry 5 -o "$2.tmp" "$1"
  echo "$3  $2.tmp" | sha256sum -c --quiet -
  chmod 0755 "$2.tmp" && mv "$2.tmp" "$2"
}

mkdir -p "$PLUGINS"
if ! docker compose version 2>/dev/null | grep -q "${COMPOSE_VERSION#v}"; then
  asset="docker-compose-linux-${compose_arch}"
  base="$RELEASES/compose/releases/download/$COMPOSE_VERSION"
  sum=$(curl -fsSL --retry 5 "$base/$asset.sha256" | awk '{print $1}')
  fetch "$base/$asset" "$PLUGINS/docker-compose" "$sum"
fi
if ! docker buildx version 2>/dev/null | grep -q "$BUILDX_VERSION"; then
  asset="buildx-${BUILDX_VERSION}.linux-${buildx_arch}"
  base="$RELEASES/buildx/releases/download/$BUILDX_VERSION"
  sum=$(curl -fsSL --retry 5 "$base/checksums.txt" | awk -v a="*$asset" '$2 == a || $2 == substr(a, 2) {print $1}')
  fetch "$base/$asset" "$PLUGINS/docker-buildx" "$sum"
fi
docker compose version
docker buildx version
