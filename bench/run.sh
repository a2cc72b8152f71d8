#!/usr/bin/env bash
# Runs the benchmarks on this commit and on a base commit (default HEAD~1)
# and compares them with benchstat. Usage: bench/run.sh [BASE] [PATTERN]
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-HEAD~1}"
pattern="${2:-.}"
count="${COUNT:-6}"
pkgs="./bench/ ./internal/source/... ./internal/checks/..."
out=$(mktemp -d)
export PATH="$HOME/go/bin:/usr/local/go/bin:$PATH"
command -v benchstat >/dev/null || go install golang.org/x/perf/cmd/benchstat@latest

echo "bench: this tree"
go test -run '^$' -bench "$pattern" -benchmem -count "$count" $pkgs > "$out/new.txt" 2>&1 || true
if git rev-parse --verify -q "$base" >/dev/null; then
  echo "bench: $base"
  git worktree add -q --detach "$out/base" "$base"
  (cd "$out/base" && go test -run '^$' -bench "$pattern" -benchmem -count "$count" $pkgs > "$out/old.txt" 2>&1 || true)
  git worktree remove --force "$out/base"
  benchstat "$out/old.txt" "$out/new.txt"
else
  benchstat "$out/new.txt"
fi
