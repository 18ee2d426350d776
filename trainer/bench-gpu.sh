#!/usr/bin/env bash
# Training throughput of the ViT-B/32-shaped student on a CUDA GPU (float32 and mixed precision), against batch
# size, ratios to the smallest batch. Needs a CUDA 12.4 driver and the pytorch-native-cu124 jar in ~/.m2 (the
# -Pgpu profile of the root pom swaps it in; Maven downloads it on first use).
#
#   trainer/bench-gpu.sh                 # default batch sizes 32,64,128,256, 10 measured steps each
#   trainer/bench-gpu.sh 64,128 20       # other sizes and step count
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-32,64,128,256}"
steps="${2:-10}"
mvn -B -q -Pgpu -pl trainer -DskipTests install
for precision in fp32 mixed; do
  mvn -B -q -Pgpu -pl trainer exec:java -Dexec.mainClass=dev.kclip.trainer.bench.TrainingBenchmark \
      -Dexec.args="vit-b-32 ${sizes} gpu ${precision} ${steps} datasets/emoji-64/pairs.jsonl"
done
