#!/usr/bin/env bash
# Benchmark golive's load generator against a trivial loopback server:
#  1. throughput: can it sustain RATE (default 20000) req/s?
#  2. agreement: do its latencies match a second client's (wrk, Debian
#     package `wrk`) within 10%? The server sleeps DELAY per request so both
#     measure a known service time, not CPU noise. Two views: golive alone at
#     wrk's closed-loop throughput (different load patterns, shown for
#     reference), and the fair one, both measuring the same loaded server at
#     the same time (SRATE, default 5000 req/s).
# Usage: bench/load.sh [seconds]   Figures are printed; nothing is asserted
# on timing beyond the printed verdicts.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
RATE=${RATE:-20000}
DELAY=${DELAY:-2ms}
ADDR=127.0.0.1:${PORT:-18080}
BIN=$(mktemp -d)/loadbench
go build -o "$BIN" ./bench/loadbench
"$BIN" serve -addr "$ADDR" & SRV=$!
trap 'kill $SRV 2>/dev/null' EXIT
sleep 0.5

echo "== throughput: golive at ${RATE} req/s for ${SECS}s on /"
T=$("$BIN" run -url "http://$ADDR" -rate "$RATE" -duration "${SECS}s" -concurrency 64)
echo "$T"

echo "== agreement: wrk (closed loop, 2 threads, 40 connections) on /?d=$DELAY"
if ! command -v wrk >/dev/null; then
	echo "wrk not installed (apt-get install wrk); skipping the comparison"; exit 0
fi
W=$(wrk -t2 -c40 -d"${SECS}s" --latency "http://$ADDR/?d=$DELAY")
echo "$W"
WRPS=$(awk '/Requests\/sec/ {print $2}' <<<"$W")
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms/,"",v); print v } else { sub(/s/,"",v); print v*1000 } }'; }
WP50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$W")")
WP90=$(to_ms "$(awk '$1=="90%" {print $2}' <<<"$W")")
WMEAN=$(to_ms "$(awk '$1=="Latency" && $2 != "Distribution" {print $2; exit}' <<<"$W")")

echo "== agreement: golive at wrk's throughput (${WRPS} req/s) on /?d=$DELAY"
G=$("$BIN" run -url "http://$ADDR" -path "/?d=$DELAY" -rate "${WRPS%.*}" -duration "${SECS}s" -concurrency 64)
echo "$G"
python3 - "$T" "$G" "$WP50" "$WP90" "$WMEAN" "$RATE" <<'PY'
import json, sys
t, g = json.loads(sys.argv[1]), json.loads(sys.argv[2])
wp50, wp90, wmean, rate = map(float, sys.argv[3:7])
print(f"throughput: {t['throughputRps']:.0f} answers/s of {rate:.0f} offered, unsent {t['unsent']}, "
      f"errors {t['errorRate']:.4f} -> {'OK' if t['throughputRps'] >= 0.98*rate else 'BELOW TARGET'}")
for name, ours, theirs in [("p50", g['serviceP50Ms'], wp50), ("p90", g['serviceP90Ms'], wp90), ("mean", g['serviceMeanMs'], wmean)]:
    d = (ours - theirs) / theirs * 100
    print(f"{name}: golive {ours:.3f} ms, wrk {theirs:.3f} ms, diff {d:+.1f}% -> {'within 10%' if abs(d) <= 10 else 'OUTSIDE 10%'}")
print(f"golive corrected p50 {g['p50Ms']:.3f} ms (from intended send time), max send lag {g['maxSendLagMs']:.3f} ms")
PY

# The fair agreement test: both clients measure the same server at the same
# time. golive drives an open-model load; wrk, on a few connections, samples
# the latency of that loaded server alongside it. The two measure requests
# served under the same conditions, so their latencies should agree.
SRATE=${SRATE:-5000}
echo "== agreement, simultaneous: golive at ${SRATE} req/s with wrk (1 thread, 4 connections) alongside, on /?d=$DELAY"
GS=$(mktemp)
"$BIN" run -url "http://$ADDR" -path "/?d=$DELAY" -rate "$SRATE" -duration "$((SECS + 3))s" -concurrency 64 > "$GS" &
GPID=$!
sleep 1
WS=$(wrk -t1 -c4 -d"${SECS}s" --latency "http://$ADDR/?d=$DELAY")
wait $GPID
python3 - "$(cat "$GS")" "$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$WS")")" "$(to_ms "$(awk '$1=="90%" {print $2}' <<<"$WS")")" "$(to_ms "$(awk '$1=="Latency" && $2 != "Distribution" {print $2; exit}' <<<"$WS")")" <<'PY'
import json, sys
g = json.loads(sys.argv[1])
wp50, wp90, wmean = map(float, sys.argv[2:5])
for name, ours, theirs in [("p50", g['serviceP50Ms'], wp50), ("p90", g['serviceP90Ms'], wp90), ("mean", g['serviceMeanMs'], wmean)]:
    d = (ours - theirs) / theirs * 100
    print(f"simultaneous {name}: golive {ours:.3f} ms, wrk {theirs:.3f} ms, diff {d:+.1f}% -> {'within 10%' if abs(d) <= 10 else 'OUTSIDE 10%'}")
print(f"golive sustained {g['throughputRps']:.0f} of {g['offeredRps']:.0f} req/s offered")
PY
rm -f "$GS"
