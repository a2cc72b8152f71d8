#!/usr/bin/env bash
# Kubernetes static-check benchmarks, against the issue's targets:
#   - the whole static check of N objects within 3x of only decoding the same
#     YAML with yaml.v3 (BenchmarkLoadAndCheck / BenchmarkDecodeYAMLv3);
#   - peak memory under 500 MB at 100,000 objects;
#   - cost linear in the number of objects (the ratio must not grow with N);
#   - the whole `golive check --pack default` process over the same generated
#     sets (every item of the default pack, secrets scan included), its wall
#     time against the decode time and its peak RSS;
#   - the whole `golive check --pack default` process over a real chart
#     rendered into ~500 objects, next to a pack cut down to its k8s/* checks
#     (and kube-score when it is on PATH: `go install
#     github.com/zegl/kube-score/cmd/kube-score@latest`).
#
# Usage: bench/kube.sh [SIZE...]        (default: 10000 100000)
# Env:   REPEAT=5          rounds per size (each benchmark is its own process,
#                          rounds interleave decode and check so that load
#                          from other processes hits both alike)
#        CHART_OBJECTS=500 objects rendered from examples/ready-service/chart
#        CHART_RUNS=10     runs of the whole process
#        SKIP_CHART=1      only the generated sets
#        SKIP_SETS=1       only the chart
#        KUBE_TEST_BIN=F   use F (go test -c ./internal/checks/kube) instead of
#                          building one, e.g. to measure an older commit
# Figures are medians; the ratio is the median of each round's own ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000)
repeat="${REPEAT:-5}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# rss FILE CMD...: run CMD, write its peak resident set (kB) to FILE's last
# line (time writes a note above it when CMD exits non-zero).
rss() {
  local f="$1"; shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$f" "$@"
  else
    "$@"; echo 0 >"$f"
  fi
}

if [ -n "${KUBE_TEST_BIN:-}" ]; then
  cp "$KUBE_TEST_BIN" "$out/kube.test" # e.g. built at an older commit, to compare
else
  echo "building the benchmark binary"
  go test -c -o "$out/kube.test" ./internal/checks/kube
fi

# one NAME SIZE: one benchmark run in its own process; appends ns/op, peak
# RSS (MB) and the benchmark's own peak-live-heap metric to $out/NAME.SIZE.
one() {
  local name="$1" n="$2"
  local line
  line=$(GOLIVE_BENCH_OBJECTS="$n" rss "$out/rss" "$out/kube.test" -test.run '^$' \
    -test.bench "^Benchmark${name}\$" -test.benchtime 1x | grep "^Benchmark${name}-") || {
    echo "benchmark $name failed at $n objects" >&2; exit 1; }
  local ns live
  ns=$(awk '{print $3}' <<<"$line")
  live=$(awk '{for (i=1;i<=NF;i++) if ($i=="MB-peak-live") print $(i-1)}' <<<"$line")
  echo "$ns $(( $(tail -1 "$out/rss") / 1024 )) ${live:-0}" >>"$out/$name.$n"
}

go build -o "$out/golive" ./cmd/golive
go build -o "$out/kubegen" ./bench/kubegen

printf '\n%-8s %12s %12s %12s %7s %12s %14s %10s %7s %12s\n' objects decode-ms load-ms check-ms ratio peak-RSS-MB peak-live-MB cli-ms cli-x cli-RSS-MB
[ "${SKIP_SETS:-}" = 1 ] && sizes=()
for n in "${sizes[@]}"; do
  "$out/kubegen" -objects "$n" -out "$out/set$n" >/dev/null
  : >"$out/cli.$n"
  for ((r = 1; r <= repeat; r++)); do
    one DecodeYAMLv3 "$n"
    one LoadAndCheck "$n"
    one Load "$n"
    # the whole command, every default-pack item (exit 1: the gate fails)
    s=$(date +%s%N)
    rss "$out/rss" "$out/golive" check --pack default -o json=/dev/null "$out/set$n" >/dev/null 2>&1 || true
    e=$(date +%s%N)
    echo "$(( (e - s) / 1000000 )) $(( $(tail -1 "$out/rss") / 1024 ))" >>"$out/cli.$n"
  done
  dec=$(awk '{print $1/1e6}' "$out/DecodeYAMLv3.$n" | median)
  load=$(awk '{print $1/1e6}' "$out/Load.$n" | median)
  chk=$(awk '{print $1/1e6}' "$out/LoadAndCheck.$n" | median)
  ratio=$(paste -d' ' "$out/LoadAndCheck.$n" "$out/DecodeYAMLv3.$n" | awk '{printf "%.3f\n", $1/$4}' | median)
  peak=$(awk '{print $2}' "$out/LoadAndCheck.$n" | median)
  live=$(awk '{print $3}' "$out/LoadAndCheck.$n" | median)
  cli=$(awk '{print $1}' "$out/cli.$n" | median)
  clirss=$(awk '{print $2}' "$out/cli.$n" | median)
  clix=$(awk -v c="$cli" -v d="$dec" 'BEGIN {printf "%.2f", c/d}')
  printf '%-8s %12.0f %12.0f %12.0f %6.2fx %12s %14s %10s %6sx %12s\n' "$n" "$dec" "$load" "$chk" "$ratio" "$peak" "$live" "$cli" "$clix" "$clirss"
  rm -rf "$out/set$n"
done
echo "(ratio: load + every k8s check / yaml.v3 decode; cli-x: the whole golive check --pack default"
echo " process / yaml.v3 decode, target <= 3; peak RSS, target < 500 MB at 100k)"

[ "${SKIP_CHART:-}" = 1 ] && exit 0

echo
echo "rendering examples/ready-service/chart into ~${CHART_OBJECTS:-500} objects"
go build -o "$out/kuberender" ./bench/kuberender
objs=$("$out/kuberender" -chart examples/ready-service/chart -objects "${CHART_OBJECTS:-500}" \
  -out "$out/charts" -kube-pack "$out/kube-pack.yaml")
echo "$objs objects in $(ls "$out/charts" | wc -l) files"
runs="${CHART_RUNS:-10}"
default_cmd="$out/golive check --pack default -o json=/dev/null $out/charts"
kube_cmd="$out/golive check --pack $out/kube-pack.yaml -o json=/dev/null $out/charts"
cmds=("$default_cmd" "$kube_cmd")
names=("golive check --pack default" "golive check, k8s/* items only")
if command -v kube-score >/dev/null; then
  # hyperfine -N runs no shell: expand the file list here
  cmds+=("kube-score score $(echo "$out"/charts/*.yaml)")
  names+=("kube-score score")
fi
if command -v hyperfine >/dev/null; then
  args=()
  for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
  # golive exits 1 when the gate fails, which it does on these objects
  hyperfine -N -i --warmup 2 --runs "$runs" --export-json "$out/hf.json" "${args[@]}" >/dev/null 2>&1
  python3 - "$out/hf.json" <<'EOF' 2>/dev/null || jq -r '.results[] | "\(.command)\t\(.median)"' "$out/hf.json"
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["command"]:<36} median {r["median"]*1000:7.0f} ms   min {r["min"]*1000:7.0f} ms   max {r["max"]*1000:7.0f} ms')
EOF
else
  for i in "${!cmds[@]}"; do
    for ((r = 1; r <= runs; r++)); do
      s=$(date +%s%N); ${cmds[$i]} >/dev/null 2>&1 || true; e=$(date +%s%N)
      echo $(( (e - s) / 1000000 ))
    done | median | xargs printf '%-36s median %7s ms\n' "${names[$i]}"
  done
fi
rss "$out/rss" $default_cmd >/dev/null 2>&1 || true
echo "peak RSS of golive check --pack default: $(( $(tail -1 "$out/rss") / 1024 )) MB"
