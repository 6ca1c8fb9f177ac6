#!/usr/bin/env bash
# Spark GPU discovery script: prints the resource JSON Spark expects from a discovery script,
#   {"name":"gpu","addresses":["0","1"]}
# with the index of every GPU nvidia-smi lists on this host (or container). Spark runs it on each worker /
# executor host (spark.worker.resource.gpu.discoveryScript, spark.executor.resource.gpu.discoveryScript), so it
# must be present and executable there at the same path. sparkpeft binds each task to the GPU Spark assigns it,
# reading these indexes as CUDA device ordinals (renumbered through CUDA_VISIBLE_DEVICES when that lists indexes).
set -euo pipefail

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-discovery.sh: nvidia-smi is not on the PATH of $(hostname), so no GPU can be reported; install the NVIDIA driver or run this executor without spark.executor.resource.gpu.amount." >&2
  exit 1
fi
if ! indexes="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1)"; then
  echo "gpu-discovery.sh: nvidia-smi failed on $(hostname): $(echo "$indexes" | head -n 1)" >&2
  exit 1
fi
addresses=""
while IFS= read -r index; do
  index="${index//[[:space:]]/}"
  [[ -n "$index" ]] || continue
  [[ "$index" =~ ^[0-9]+$ ]] || { echo "gpu-discovery.sh: nvidia-smi printed '$index' where a GPU index was expected." >&2; exit 1; }
  addresses+="${addresses:+,}\"$index\""
done <<<"$indexes"
if [[ -z "$addresses" ]]; then
  echo "gpu-discovery.sh: nvidia-smi lists no GPU on $(hostname)." >&2
  exit 1
fi
printf '{"name":"gpu","addresses":[%s]}\n' "$addresses"
