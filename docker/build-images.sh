#!/usr/bin/env bash
# Builds the kclip images from this checkout's build output, through the Dockerfiles in this folder:
#   kclip/runtime:TAG                      a JRE, the kclip user and the kclip command (runtime/Dockerfile)
#   kclip/{kafka,ingest,teacher,concept-updater,trainer}:TAG    one per service, FROM kclip/runtime:TAG
#   kclip/concept-updater-flink:TAG        the concept-updater job on Flink's image, for a Flink cluster
# and with --cuda the GPU variant kclip/{runtime,teacher,trainer}:cuda on kclip/cuda-jre.
#
# Usage: docker/build-images.sh [--base IMAGE | --debian-base] [--cuda] [--tag TAG] [--no-flink]
#   --base IMAGE   the Java 17 image the runtime starts from (default eclipse-temurin:17-jre; with --cuda
#                  kclip/cuda-jre:12.4, built from cuda-jre/Dockerfile)
#   --debian-base  make the base from Debian packages (base/build-base-image.sh): needs no image registry
#   --cuda         build the GPU variant; needs the -Pgpu build (pytorch-native-cu124) in launcher/target/kclip
#   --tag TAG      tag of the images (default latest; the GPU variant is tagged cuda, or TAG-cuda)
#   --no-flink     skip kclip/concept-updater-flink (it needs Flink's image, FLINK_IMAGE, default
#                  flink:2.2.0-scala_2.12-java17; without it the build says so and goes on)
#
# Needs: mvn -B -DskipTests -pl launcher -am package   (add -Pgpu for --cuda). Layers are cached: a rebuild with
# unchanged jars takes seconds. Build output goes to a log that is shown only when a build fails.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
dist="$root/launcher/target/kclip"
flink_image="${FLINK_IMAGE:-flink:2.2.0-scala_2.12-java17}"

base="" debian_base=false cuda=false tag=latest flink=true
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base="${2:?--base needs an image}"; shift 2 ;;
    --debian-base) debian_base=true; shift ;;
    --cuda) cuda=true; shift ;;
    --tag) tag="${2:?--tag needs a value}"; shift 2 ;;
    --no-flink) flink=false; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-images: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "build-images: $*" >&2; exit 1; }
command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd)"
[ -f "$dist/kclip.jar" ] || die "$dist/kclip.jar is missing: run 'mvn -B -DskipTests -pl launcher -am package' first"
if $debian_base && [ -n "$base" ]; then die "--base and --debian-base exclude each other"; fi
if $debian_base && $cuda; then die "--cuda needs a CUDA base image, not --debian-base"; fi

log="$(mktemp "${TMPDIR:-/tmp}/kclip-docker-build.XXXXXX.log")"
trap 'rm -f "$log"' EXIT

# docker build with its output in the log; on failure the log's end is shown.
build() {
  local image="$1"; shift
  if ! docker build -t "$image" "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "building $image failed"
  fi
  echo "built $image"
}

# The jars the launcher's manifest names (lib/...): only these go into the image, whatever else lib/ holds.
manifest_classpath() {
  local manifest
  if command -v unzip >/dev/null; then
    manifest="$(unzip -p "$1" META-INF/MANIFEST.MF)"
  else
    manifest="$(cd "$(mktemp -d)" && jar xf "$1" META-INF/MANIFEST.MF && cat META-INF/MANIFEST.MF)"
  fi
  # manifest lines are wrapped at 72 bytes, continuation lines start with a space
  printf '%s\n' "$manifest" | tr -d '\r' \
    | awk '/^Class-Path:/ { cp = substr($0, 13); on = 1; next } on && /^ / { cp = cp substr($0, 2); next } { on = 0 } END { print cp }'
}

# kclip/runtime: the build context is streamed as a tar (the Dockerfile, kclip.jar and the manifest's jars), so
# nothing is staged on disk.
build_runtime() {
  local image="$1" base_image="$2"
  local -a jars
  read -r -a jars <<<"$(manifest_classpath "$dist/kclip.jar")"
  [ "${#jars[@]}" -gt 0 ] || die "$dist/kclip.jar has no Class-Path in its manifest"
  for jar in "${jars[@]}"; do
    [ -f "$dist/$jar" ] || die "$dist/$jar is missing: rebuild the launcher"
  done
  tar -c -C "$root/docker/runtime" Dockerfile -C "$dist" kclip.jar "${jars[@]}" \
    | build "$image" --build-arg "BASE_IMAGE=$base_image" -
}

build_service() {
  local service="$1" image="$2" runtime_image="$3"
  build "$image" --build-arg "RUNTIME_IMAGE=$runtime_image" -f "$root/docker/$service/Dockerfile" "$root/docker/$service"
}

build_flink_job() {
  local image="$1"
  local jar
  jar="$(ls "$root"/concept-updater/target/kclip-concept-updater-*-job.jar 2>/dev/null | head -1 || true)"
  [ -n "$jar" ] || die "the concept-updater job jar is missing: run 'mvn -B -DskipTests -pl launcher -am package' first"
  if ! docker image inspect "$flink_image" >/dev/null 2>&1 && ! docker pull -q "$flink_image" >"$log" 2>&1; then
    echo "skipped kclip/concept-updater-flink: cannot get $flink_image (FLINK_IMAGE); the other images are built"
    return
  fi
  tar -c -C "$root/docker/concept-updater" Dockerfile.flink -C "$(dirname "$jar")" "$(basename "$jar")" \
    | build "$image" --build-arg "FLINK_IMAGE=$flink_image" -f Dockerfile.flink -
}

if $cuda; then
  ls "$dist"/lib/pytorch-native-cu124-*.jar >/dev/null 2>&1 && manifest_classpath "$dist/kclip.jar" | grep -q pytorch-native-cu124 \
    || die "--cuda needs the GPU build: run 'mvn -B -Pgpu -DskipTests -pl launcher -am package' first"
  suffix="$([ "$tag" = latest ] && echo cuda || echo "$tag-cuda")"
  if [ -z "$base" ]; then
    base="kclip/cuda-jre:12.4"
    build "$base" -f "$root/docker/cuda-jre/Dockerfile" "$root/docker/cuda-jre"
  fi
  build_runtime "kclip/runtime:$suffix" "$base"
  for service in teacher trainer; do
    build_service "$service" "kclip/$service:$suffix" "kclip/runtime:$suffix"
  done
  images=(runtime teacher trainer); tag="$suffix"
else
  if manifest_classpath "$dist/kclip.jar" | grep -q pytorch-native-cu124; then
    echo "note: this launcher build is the -Pgpu one (CUDA natives); the CPU images need the default build"
  fi
  if $debian_base; then
    base="kclip/base-jre:17-bookworm"
    "$root/docker/base/build-base-image.sh" "$base"
  fi
  base="${base:-eclipse-temurin:17-jre}"
  build_runtime "kclip/runtime:$tag" "$base"
  images=(runtime)
  for service in kafka ingest teacher concept-updater trainer; do
    build_service "$service" "kclip/$service:$tag" "kclip/runtime:$tag"
    images+=("$service")
  done
  if $flink; then
    build_flink_job "kclip/concept-updater-flink:$tag"
    images+=(concept-updater-flink)
  fi
fi

# a rebuild leaves the previous images untagged: remove ours (only those carrying the kclip label)
docker image prune -f --filter label=dev.kclip.image >/dev/null

for image in "${images[@]}"; do
  docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' "kclip/$image:$tag"
done
