#!/usr/bin/env bash
# Builds a JRE base image from Debian packages alone (debootstrap + docker import), for machines that cannot pull
# images. Cached: does nothing when the image exists. Usage: build-base-image.sh [TAG]
set -euo pipefail

tag="${1:-kclip/base-jre:17-bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag exists"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install debootstrap" >&2; exit 1; }

rootfs="$(mktemp -d /tmp/kclip-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
echo "building base image $tag from $mirror (about a minute)"
debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
  bookworm "$rootfs" "$mirror" >/tmp/kclip-debootstrap.log 2>&1 \
  || { echo "debootstrap failed, see /tmp/kclip-debootstrap.log" >&2; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
tar -C "$rootfs" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' \
  - "$tag" >/dev/null
echo "built $tag"
