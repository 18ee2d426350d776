#!/usr/bin/env bash
# Llama-2-7B-shaped embedding forward pass (32 blocks, final norm, mean pooling) with random float16 weights made
# directly on a CUDA GPU: tokens/s and achieved TFLOP/s (2 x matmul parameters x tokens / time) as a share of the
# card's dense float16 peak, per batch size.
#
#   teacher-service/bench/gpu-bench.sh
#   BATCH_SIZES=1,16,64 SEQ_LEN=256 ITERATIONS=10 PEAK_TFLOPS=756 DEVICE=gpu:1 teacher-service/bench/gpu-bench.sh
#
# Needs JDK 17, Maven, an NVIDIA driver for CUDA 12.4, and ai.djl.pytorch:pytorch-native-cu124:2.5.1 (classifier
# linux-x86_64, what the root pom's -Pgpu profile selects) in ~/.m2 or reachable on Maven Central.
# Float16, not bfloat16: DJL 0.33's PyTorch engine has no bfloat16 tensor type; both run at the same tensor-core peak.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

# Dense float16 tensor-core peak of common cards (TFLOP/s); override with PEAK_TFLOPS.
gpu="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || true)"
case "$gpu" in
  *H100*PCIe*) peak=756 ;;
  *H100*|*H200*) peak=989 ;;
  *A100*) peak=312 ;;
  *L40S*) peak=362 ;;
  *) peak=989 ;;
esac
peak="${PEAK_TFLOPS:-$peak}"
echo "GPU: ${gpu:-unknown}; peak used: $peak TFLOP/s" >&2

mvn -B -q -o -Pgpu -pl teacher-service -am -DskipTests install 2>/dev/null \
  || mvn -B -q -Pgpu -pl teacher-service -am -DskipTests install
mvn -B -q -o -Pgpu -pl teacher-service dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$root/teacher-service/target/gpu.classpath"

exec java -Xmx8g -cp "$root/teacher-service/target/classes:$(cat "$root/teacher-service/target/gpu.classpath")" \
  dev.kclip.teacher.cli.TeacherCommand bench --random-llama 7b --device "${DEVICE:-gpu}" \
  --batch-sizes "${BATCH_SIZES:-1,8,32,64}" --seq-len "${SEQ_LEN:-128}" --iterations "${ITERATIONS:-5}" \
  --peak-tflops "$peak"
