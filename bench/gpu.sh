#!/usr/bin/env bash
# The one GPU measurement of the project, for a machine with an NVIDIA GPU (CUDA 12.4 driver), JDK 17 and Maven:
#   1. the Llama-2-7B-shaped teacher (random float16 weights made on the card): tokens/s and share of the card's peak
#      (teacher-service/bench/gpu-bench.sh);
#   2. the vit-b-32 student: training examples/s in mixed precision against float32 (trainer/bench-gpu.sh);
#   3. `kclip demo` with the trainer (and, with TEACHER_DEVICE=gpu:N, the teacher) on the GPU over the emoji-64
#      stream: end-to-end pairs/s and freshness (push -> first checkpoint containing the pair), from its summary.
# Every figure is written to $OUT (default bench/gpu-out) as the step's log.
#
#   bench/gpu.sh                                   # all three
#   STEPS="teacher trainer" bench/gpu.sh           # a subset
#   TRAINER_DEVICE=gpu:1 TEACHER_DEVICE=gpu:0 bench/gpu.sh
#
# The -Pgpu build swaps in ai.djl.pytorch:pytorch-native-cu124:2.5.1 (about 1.5 GB from Maven Central on first use;
# the build must already be in ~/.m2 where the machine has no network).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${OUT:-$root/bench/gpu-out}"
mkdir -p "$out"
steps="${STEPS:-teacher trainer demo}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/gpu.txt"

for step in $steps; do
  case "$step" in
    teacher) DEVICE="${TEACHER_DEVICE:-gpu}" teacher-service/bench/gpu-bench.sh 2>&1 | tee "$out/teacher.log" ;;
    trainer) trainer/bench-gpu.sh "${TRAIN_BATCHES:-64,128,256}" "${TRAIN_STEPS:-10}" 2>&1 | tee "$out/trainer.log" ;;
    demo)
      mvn -B -q -Pgpu -DskipTests -pl launcher -am package
      java --add-modules jdk.incubator.vector -Dkclip.home="$root" -jar launcher/target/kclip/kclip.jar demo \
          --trainer-device "${TRAINER_DEVICE:-gpu}" --teacher-device "${TEACHER_DEVICE:-cpu}" \
          --home "$out/demo-state" --report "$out/report" 2>&1 | tee "$out/demo.log" ;;
    *) echo "bench/gpu.sh: unknown step '$step' (teacher, trainer, demo)" >&2; exit 2 ;;
  esac
done
