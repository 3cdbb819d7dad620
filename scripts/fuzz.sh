#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan+UBSan, build-fuzz/) and runs them.
#
#   scripts/fuzz.sh [--ci] [--time SECONDS | --budget SECONDS] [--jobs N] [TARGET...]
#
# --ci         bounded run for scripts/test.sh: each target fuzzes a COPY of its committed corpus
#              (tests/data is never written) for SECONDS; by default the targets share a budget of 60 s
#              of wall time (SECONDS = budget x jobs / targets, at least 5), so the phase's fuzzing time
#              does not grow with the number of targets (the build before it is ccache's). A finding (crash, leak, timeout,
#              out-of-memory, broken invariant) fails the run and prints the reproducer and the command
#              that replays it.
# default      campaign (SECONDS default 600): new inputs that add coverage are merged into the
#              committed corpus (-merge=1), and every crash-*/leak-*/timeout-*/oom-* artifact is copied
#              to tests/data/fuzz/<corpus>/regressions/ (replayed by ctest from then on); the run exits
#              non-zero naming them. Fix the bug before committing a regression input.
# --jobs N     targets fuzzed at the same time, and the build's -j (default: nproc).
# TARGET...    libFuzzer target names (default: every target with the ctest label "fuzz").
#
# SNPRELAY_BUILD_LOCK=<file>: configure and build under `flock <file>` (a build machine shared by
# several people); unset, no lock is taken.
#
# Targets and corpora are read from ctest's registrations (build-fuzz/tests/CTestTestfile.cmake: the
# replay test `<target>.corpus_replay` names the corpus directory). One summary line per target:
#   <target>: execs=N exec/s=N cov=N ft=N corpus=N result=ok|FINDING
# tests/fuzz/README.md describes the targets, their invariants and this workflow.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

ci=0
seconds=""
budget=""
jobs=$(nproc)
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ci) ci=1 ;;
    --time) seconds="$2"; shift ;;
    --budget) budget="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
start=$(date +%s)

locked() {
  if [ -n "${SNPRELAY_BUILD_LOCK:-}" ]; then flock "$SNPRELAY_BUILD_LOCK" "$@"; else "$@"; fi
}
locked cmake --preset fuzz >/dev/null
registry="$root/build-fuzz/tests/CTestTestfile.cmake"
# "<target> <replay binary> <corpus dir>" for every fuzz replay test.
mapfile -t entries < <(sed -n 's/^add_test(\[=\[\(.*\)\.corpus_replay\]=\] "\([^"]*\)" "\([^"]*\)")$/\1 \2 \3/p' "$registry")
declare -A bin_of corpus_of
for e in "${entries[@]}"; do
  read -r name replay corpus <<<"$e"
  bin_of[$name]="${replay%_replay}"
  corpus_of[$name]="$corpus"
done
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(printf '%s\n' "${!bin_of[@]}" | sort)
fi
for t in "${targets[@]}"; do
  if [ -z "${bin_of[$t]:-}" ]; then
    echo "fuzz.sh: no fuzz target named $t (known: $(printf '%s ' "${!bin_of[@]}"))" >&2
    exit 2
  fi
done

if [ -z "$seconds" ]; then
  if [ "$ci" = 1 ] || [ -n "$budget" ]; then
    seconds=$(( ${budget:-60} * jobs / ${#targets[@]} ))
    [ "$seconds" -ge 5 ] || seconds=5
  else
    seconds=600
  fi
fi

echo "fuzz.sh: building ${#targets[@]} targets (-j$jobs)"
locked cmake --build --preset fuzz -j"$jobs" --target "${targets[@]}" >/dev/null
echo "fuzz.sh: built in $(( $(date +%s) - start ))s; fuzzing ${seconds}s per target, $jobs at a time"

work=$(mktemp -d /tmp/snprelay-fuzz.XXXXXX)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"

# Fuzzes one target in $work/<target>/; leaves log, corpus/ (CI) or new/ (campaign) and artifacts/.
run_target() {
  local t="$1" dir="$work/$1" corpus="${corpus_of[$1]}"
  mkdir -p "$dir/artifacts" "$dir/new"
  local dirs=()
  if [ "$ci" = 1 ]; then
    cp -r "$corpus" "$dir/corpus"
    dirs=("$dir/corpus")
  else
    dirs=("$dir/new" "$corpus")  # new inputs go to the first directory only
  fi
  "${bin_of[$t]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" "${dirs[@]}" >"$dir/log" 2>&1 || true
}

running=0
for t in "${targets[@]}"; do
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

findings=()
for t in "${targets[@]}"; do
  dir="$work/$t"
  log="$dir/log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  size=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  mapfile -t artifacts < <(find "$dir/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  result=ok
  if [ ${#artifacts[@]} -gt 0 ] || ! grep -q '^stat::number_of_executed_units' "$log"; then
    result=FINDING
  fi
  echo "$t: execs=${execs:-?} exec/s=${rate:-?} cov=${cov:-?} ft=${ft:-?} corpus=${size:-?} result=$result"
  if [ "$result" = ok ] && [ "$ci" = 0 ]; then
    before=$(find "${corpus_of[$t]}" -maxdepth 1 -type f | wc -l)
    # Edges only (no hit-count buckets): an input is kept when it reaches code the corpus does not.
    "${bin_of[$t]}" -merge=1 -use_counters=0 "${corpus_of[$t]}" "$dir/new" >"$dir/merge.log" 2>&1
    after=$(find "${corpus_of[$t]}" -maxdepth 1 -type f | wc -l)
    echo "  merged $((after - before)) new inputs into ${corpus_of[$t]#"$root"/} ($after files)"
    if [ "$after" -gt 200 ]; then
      echo "  note: over 200 files; minimize before committing (tests/fuzz/README.md)"
    fi
  fi
  if [ "$result" = FINDING ]; then
    grep -m3 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|fuzz invariant broken' "$log" | sed 's/^/  /' || true
    if [ ${#artifacts[@]} -eq 0 ]; then
      echo "  the fuzzer stopped without final stats; log: $log"
      findings+=("$t:$log")
    fi
    for a in "${artifacts[@]}"; do
      if [ "$ci" = 1 ]; then
        echo "  reproducer: $a"
        echo "  replay:     ${bin_of[$t]} $a"
        findings+=("$t:$a")
      else
        mkdir -p "${corpus_of[$t]}/regressions"
        cp "$a" "${corpus_of[$t]}/regressions/"
        kept="${corpus_of[$t]}/regressions/$(basename "$a")"
        echo "  regression input: ${kept#"$root"/} (replay: ${bin_of[$t]} $kept)"
        findings+=("$t:${kept#"$root"/}")
      fi
    done
  fi
done

echo "fuzz.sh: ${#targets[@]} targets, $(( $(date +%s) - start ))s in all"
if [ ${#findings[@]} -gt 0 ]; then
  echo "fuzz.sh: ${#findings[@]} finding(s) (logs and reproducers in $work):" >&2
  printf '  %s\n' "${findings[@]}" >&2
  exit 1
fi
rm -rf "$work"
