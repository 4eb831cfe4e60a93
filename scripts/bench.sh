#!/usr/bin/env bash
# Whole-process benchmarks of `difyx template` (issue 5), with hyperfine.
#
#   scripts/bench.sh            # build --release, then measure and print the table
#   RUNS=300 scripts/bench.sh   # more runs per case (default 200)
#   BATCH=40 scripts/bench.sh   # values files for the --each comparison (default 24)
#
# Prints, per case: median and mean wall time (hyperfine -N, no shell), the
# peak RSS (max of /usr/bin/time -f %M over RSS_RUNS runs), and the
# `hyperfine /bin/true` process floor beside them; then the slope of the
# synthetic 1k / 10k / 20k / 100k-key files (least squares of median time on
# keys), --each against one process per file, and the budget of issue 5.
# Everything it writes goes to target/bench/. The machine is shared and
# noisy: compare medians, and rerun when `uptime` shows a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-200}
WARMUP=${WARMUP:-20}
RSS_RUNS=${RSS_RUNS:-10}
BATCH=${BATCH:-24}
OUT=target/bench
BIN=target/release/difyx
PROD=tests/fixtures/production-values.yaml
# The keys of $PROD that change the output: the same render, without the
# cost of reading the rest of the file (tests/bench_inputs.rs).
READ_KEYS=tests/fixtures/production-read-keys.yaml

if ! command -v hyperfine >/dev/null; then
    apt-get install -y hyperfine >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y hyperfine >/dev/null; }
fi
for tool in hyperfine python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench.sh: $tool is needed" >&2; exit 1; }
done

cargo build --release --locked --quiet
# The binary starts from the disk, as after a reboot. How a binary's pages
# came into the page cache changes the cost of mapping them by up to 0.15 ms
# a render: a file just written by cp renders faster than the same bytes
# written by the linker or read back from the disk (docs/performance.md,
# round ten).
sync
python3 -c 'import os, sys
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)' "$BIN"
mkdir -p "$OUT"
rm -rf "$OUT/each" "$OUT/separate" "$OUT/envs"

# Synthetic values: N leaf keys in groups of 100 under `extra` (read by no
# template, as most of a real values file), ExternalSecrets on. The same
# shape as `synthetic()` in benches/pipeline.rs.
synthetic() {
    awk -v n="$1" 'BEGIN {
        print "# synthetic values: " n " keys"
        print "externalSecret:\n  enabled: true\nextra:"
        for (i = 0; i < n; i++) {
            if (i % 100 == 0) printf "  group%05d:\n", i / 100
            printf "    key%03d: \"value-%06d\"\n", i % 100, i
        }
    }' > "$OUT/synthetic-$1.yaml"
}
for n in 1000 10000 20000 100000; do synthetic "$n"; done

# name|command, measured in this order.
CASES=(
    "floor (/bin/true)|/bin/true"
    "difyx --version|$BIN --version"
    "default chart|$BIN template dify -n dify"
    "production, read keys only ($(grep -cv '^#' "$READ_KEYS") lines)|$BIN template dify -n dify -f $READ_KEYS"
    "production ($(wc -l < "$PROD") lines, ESO on)|$BIN template dify -n dify -f $PROD"
    "synthetic 1k keys|$BIN template dify -n dify -f $OUT/synthetic-1000.yaml"
    "synthetic 10k keys|$BIN template dify -n dify -f $OUT/synthetic-10000.yaml"
    "synthetic 20k keys|$BIN template dify -n dify -f $OUT/synthetic-20000.yaml"
    "synthetic 100k keys|$BIN template dify -n dify -f $OUT/synthetic-100000.yaml"
)

args=()
for c in "${CASES[@]}"; do args+=(-n "${c%%|*}" "${c#*|}"); done
hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$OUT/processes.json" "${args[@]}" > "$OUT/hyperfine.txt"

# Peak RSS in KiB: the largest of RSS_RUNS runs.
: > "$OUT/rss.txt"
for c in "${CASES[@]}"; do
    max=0
    for _ in $(seq "$RSS_RUNS"); do
        # shellcheck disable=SC2086
        /usr/bin/time -o "$OUT/rss.one" -f %M ${c#*|} >/dev/null 2>&1
        kib=$(tail -1 "$OUT/rss.one")
        if [ "$kib" -gt "$max" ]; then max=$kib; fi
    done
    printf '%s|%s\n' "${c%%|*}" "$max" >> "$OUT/rss.txt"
done

# --each over BATCH values files against one process per file, same output.
mkdir -p "$OUT/envs"
for i in $(seq -w 1 "$BATCH"); do
    case $((10#$i % 3)) in
        0) cp "$PROD" "$OUT/envs/env-$i.yaml" ;;
        1) cp examples/scenario-1-full-eso.yaml "$OUT/envs/env-$i.yaml" ;;
        2) printf 'api:\n  secretKey: "key-%s"\n' "$i" > "$OUT/envs/env-$i.yaml" ;;
    esac
done
separate="for f in $OUT/envs/*.yaml; do s=\${f##*/}; $BIN template dify -n dify -f \$f --output-dir $OUT/separate/\${s%.yaml} >/dev/null; done"
hyperfine --style basic --warmup 3 --runs "${BATCH_RUNS:-20}" --export-json "$OUT/batch.json" \
    -n "template --each: one process, $BATCH files" "$BIN template dify -n dify --each '$OUT/envs/*.yaml' --output-dir $OUT/each" \
    -n "$BATCH separate processes" "$separate" > "$OUT/hyperfine-batch.txt"
diff -r "$OUT/each" "$OUT/separate" >/dev/null && same="byte-identical" || same="DIFFERENT"

python3 - "$OUT" "$same" <<'PY'
import json, sys, platform, os, subprocess
out, same = sys.argv[1], sys.argv[2]
runs = {r["command"]: r for r in json.load(open(f"{out}/processes.json"))["results"]}
rss = dict(line.rstrip("\n").split("|") for line in open(f"{out}/rss.txt"))
ms = lambda s: s * 1000
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
load = open("/proc/loadavg").read().split()[:3]
print(f"machine: {os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}; load average {' '.join(load)} at the start of the summary")
floor = runs["floor (/bin/true)"]["median"]
print(f"{'case':40} {'median':>9} {'mean':>9} {'σ':>8} {'- floor':>9} {'peak RSS':>10}")
for name, r in runs.items():
    print(f"{name:40} {ms(r['median']):7.2f}ms {ms(r['mean']):7.2f}ms {ms(r['stddev']):6.2f}ms "
          f"{ms(r['median'] - floor):7.2f}ms {int(rss[name]) / 1024:7.1f} MiB")

keys = [(1000, "synthetic 1k keys"), (10000, "synthetic 10k keys"), (20000, "synthetic 20k keys"), (100000, "synthetic 100k keys")]
xs = [k for k, _ in keys]
ys = [runs[n]["median"] for _, n in keys]
mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
icpt = my - slope * mx
worst = max(abs(y - (icpt + slope * x)) / y for x, y in zip(xs, ys))
per_key = [(y - ys[0]) / (x - xs[0]) for x, y in zip(xs[1:], ys[1:])]
print(f"slope: {ms(slope) * 1000:.3f} ms per 1,000 keys (intercept {ms(icpt):.2f} ms; "
      f"largest deviation from the line {worst * 100:.1f}%; marginal cost per 1k keys from 1k: "
      + ", ".join(f"{ms(p) * 1000:.3f}" for p in per_key) + " ms)")

batch = json.load(open(f"{out}/batch.json"))["results"]
b_each, b_sep = batch[0]["median"], batch[1]["median"]
print(f"batch: {batch[0]['command']}: {ms(b_each):.1f} ms median; {batch[1]['command']}: {ms(b_sep):.1f} ms median "
      f"({b_sep / b_each:.1f}x); outputs {same}")

prod = next(n for n in runs if n.startswith("production ("))
read_keys = next(n for n in runs if n.startswith("production, read keys"))
med = lambda n: ms(runs[n]["median"])
print(f"production, where the median goes: process floor {med('floor (/bin/true)'):.2f} ms"
      f" + start-up and argument parsing {med('difyx --version') - med('floor (/bin/true)'):.2f} ms"
      f" + chart, templates, render and output {med(read_keys) - med('difyx --version'):.2f} ms"
      f" (the same output from its read keys alone: {med(read_keys):.2f} ms)"
      f" + reading the other lines of the values file {med(prod) - med(read_keys):.2f} ms")
checks = [
    (f"{prod} median <= 2 ms", ms(runs[prod]["median"]), 2.0, "ms"),
    (f"{prod} peak RSS <= 12 MiB", int(rss[prod]) / 1024, 12.0, "MiB"),
    ("synthetic 20k keys median <= 20 ms", ms(runs["synthetic 20k keys"]["median"]), 20.0, "ms"),
    ("--each faster than separate processes", ms(b_each), ms(b_sep), "ms"),
]
for text, got, limit, unit in checks:
    print(f"budget: {'PASS' if got <= limit else 'FAIL'}  {text}: {got:.2f} {unit}")
PY
