#!/usr/bin/env bash
# difyx against real Helm, whole processes, side by side (hyperfine -N).
#
#   scripts/bench.sh                 # build --release, measure, print the table
#   RUNS=100 HELM_RUNS=20 scripts/bench.sh
#   HELM=/path/to/helm scripts/bench.sh
#   CHART_VERSION=0.27.0 scripts/bench.sh   # default: 0.37.0
#
# Inputs, each rendered by `difyx template` (embedded chart) and by
# `helm template` on the upstream chart cut to its secret layer
# (../shared/upstream/$CHART_VERSION), with the same values and arguments:
#   - that release's own upstream values.yaml, ExternalSecrets on;
#   - every public conformance input for that release
#     (../shared/conformance/* for 0.27.0, else ../shared/conformance-versions/$CHART_VERSION/*);
#   - tests/fixtures/production-values.yaml;
#   - a generated 20,000-key file padding maps the templates read
#     (externalSecret, externalSecret.api, api) and maps none reads, with one
#     spine 150 maps deep under api;
# and `template --each` over BATCH files against one process per file.
# Per input: both medians, their ratio, both peak RSS (largest of RSS_RUNS
# runs of /usr/bin/time). Then the "cliff" figure: for every input of at
# least 16 KiB, the cost per byte of reading it, (median - median with no
# values file) / size; the largest such cost divided by the smallest. A
# construct that sends a file down a slow path shows there.
# Everything it writes goes to target/bench/. Exit status 0 whether or not
# the targets are met: this is a benchmark, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-100}
HELM_RUNS=${HELM_RUNS:-15}
RSS_RUNS=${RSS_RUNS:-5}
OUT=target/bench
SHARED=${DIFYX_SHARED:-../shared}
CHART_VERSION=${CHART_VERSION:-0.37.0}
UPSTREAM=$SHARED/upstream/$CHART_VERSION
BIN=${BIN:-target/release/difyx}
if [ "$CHART_VERSION" = 0.27.0 ]; then CONFORMANCE=$SHARED/conformance; else CONFORMANCE=$SHARED/conformance-versions/$CHART_VERSION; fi
V="--version $CHART_VERSION"
export CHART_VERSION

if [ -z "${HELM:-}" ]; then
    HELM=$(command -v helm || true)
    if [ -z "$HELM" ] || ! "$HELM" version --short 2>/dev/null | grep -q '^v4\.3\.1'; then
        bash "$SHARED/tools/get-helm.sh" target/tools >/dev/null 2>&1 || true
        HELM=target/tools/helm
    fi
fi
"$HELM" version --short | grep -q '^v4\.3\.1' || { echo "bench.sh: needs Helm 4.3.1 (HELM=...)" >&2; exit 1; }
if ! command -v hyperfine >/dev/null; then
    apt-get install -y hyperfine >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y hyperfine >/dev/null; }
fi
for tool in hyperfine python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench.sh: $tool is needed" >&2; exit 1; }
done

[ -n "${NO_BUILD:-}" ] || cargo build --release --locked --quiet
rm -rf "$OUT" && mkdir -p "$OUT/inputs"

# The generated 20,000-key file.
python3 - "$OUT/inputs/generated-20k.yaml" <<'PY'
import sys
lines = ["externalSecret:", "  enabled: true",
         "  secretStore:", "    name: vault-backend", "    kind: ClusterSecretStore"]
keys = 0
def pad(indent, n, tag):
    global keys
    for i in range(n):
        lines.append(f"{indent}{tag}{i:05d}: \"value-{tag}-{i:05d}\"")
        keys += 1
pad("  ", 3000, "esPad")
lines.append("  api:")
lines.append("    remoteKey: dify/api")
pad("    ", 3000, "esApiPad")
lines.append("api:")
lines.append("  secretKey: sk-generated")
pad("  ", 3000, "apiPad")
indent = "  "
lines.append(f"{indent}spine:")
for depth in range(150):
    indent += "  "
    lines.append(f"{indent}level{depth:03d}:" if depth < 149 else f"{indent}leaf: bottom")
    keys += 1
lines.append("extra:")
group = 0
while keys < 20000:
    lines.append(f"  group{group:04d}:")
    group += 1
    for i in range(min(100, 20000 - keys)):
        lines.append(f"    key{i:03d}: [\"v{keys}\", {keys}, true]" if i % 10 == 0 else f"    key{i:03d}: value-{keys}")
        keys += 1
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY

# name|difyx arguments|helm arguments|values file (for its size; may be empty)
CASES=("no values file|template dify -n dify $V|template dify $UPSTREAM -n dify|")
CASES+=("upstream values.yaml, ESO on|template dify -n dify $V -f $UPSTREAM/values.yaml --set externalSecret.enabled=true|template dify $UPSTREAM -n dify -f $UPSTREAM/values.yaml --set externalSecret.enabled=true|$UPSTREAM/values.yaml")
for case in "$CONFORMANCE"/*/; do
    name=$(basename "$case")
    read -r -a args < "$case/args"
    if [ "${args[0]#-}" = "${args[0]}" ]; then
        helm_args="template ${args[0]} $UPSTREAM ${args[*]:1}"
    else
        helm_args="template $UPSTREAM ${args[*]}"
    fi
    CASES+=("conformance/$name|template ${args[*]} $V -f $case/values.yaml|$helm_args -f $case/values.yaml|$case/values.yaml")
done
CASES+=("production-values.yaml|template dify -n dify $V -f tests/fixtures/production-values.yaml|template dify $UPSTREAM -n dify -f tests/fixtures/production-values.yaml|tests/fixtures/production-values.yaml")
CASES+=("generated 20k keys, 150 deep|template dify -n dify $V -f $OUT/inputs/generated-20k.yaml|template dify $UPSTREAM -n dify -f $OUT/inputs/generated-20k.yaml|$OUT/inputs/generated-20k.yaml")

difyx_args=() helm_args=()
: > "$OUT/cases.txt"
for c in "${CASES[@]}"; do
    IFS='|' read -r name dargs hargs file <<< "$c"
    difyx_args+=(-n "$name" "$BIN $dargs")
    helm_args+=(-n "$name" "$HELM $hargs")
    size=0; [ -n "$file" ] && size=$(wc -c < "$file")
    # shellcheck disable=SC2086
    ds=0; $BIN $dargs >/dev/null 2>&1 || ds=$?
    # shellcheck disable=SC2086
    hs=0; $HELM $hargs >/dev/null 2>&1 || hs=$?
    printf '%s|%s|%s|%s\n' "$name" "$size" "$ds" "$hs" >> "$OUT/cases.txt"
done
# Errors are inputs too (a conformance case may be an expected failure).
hyperfine -N -i --style basic --warmup 10 --runs "$RUNS" --export-json "$OUT/difyx.json" "${difyx_args[@]}" > "$OUT/difyx.txt"
hyperfine -N -i --style basic --warmup 2 --runs "$HELM_RUNS" --export-json "$OUT/helm.json" "${helm_args[@]}" > "$OUT/helm.txt"

# Peak RSS in KiB: the largest of RSS_RUNS runs.
: > "$OUT/rss.txt"
for c in "${CASES[@]}"; do
    IFS='|' read -r name dargs hargs file <<< "$c"
    for tool in difyx helm; do
        if [ $tool = difyx ]; then cmd="$BIN $dargs"; else cmd="$HELM $hargs"; fi
        max=0
        for _ in $(seq "$RSS_RUNS"); do
            # shellcheck disable=SC2086
            /usr/bin/time -o "$OUT/rss.one" -f %M $cmd >/dev/null 2>&1 || true
            kib=$(tail -1 "$OUT/rss.one")
            if [ "$kib" -gt "$max" ]; then max=$kib; fi
        done
        printf '%s|%s|%s\n' "$tool" "$name" "$max" >> "$OUT/rss.txt"
    done
done

# --each over BATCH values files against one process per file, same output.
BATCH=${BATCH:-24}
mkdir -p "$OUT/envs"
# The production fixture is a values file of the 0.2x releases: from 0.30.0
# the release's schema rejects it (as Helm does), so a release it does not
# fit batches the upstream values.yaml instead.
BATCH_FULL=tests/fixtures/production-values.yaml
# shellcheck disable=SC2086
$BIN template dify -n dify $V -f "$BATCH_FULL" >/dev/null 2>&1 || BATCH_FULL=$UPSTREAM/values.yaml
for i in $(seq -w 1 "$BATCH"); do
    case $((10#$i % 3)) in
        0) cp "$BATCH_FULL" "$OUT/envs/env-$i.yaml" ;;
        1) cp examples/scenario-1-full-eso.yaml "$OUT/envs/env-$i.yaml" ;;
        2) printf 'api:\n  secretKey: "key-%s"\n' "$i" > "$OUT/envs/env-$i.yaml" ;;
    esac
done
separate="for f in $OUT/envs/*.yaml; do s=\${f##*/}; $BIN template dify -n dify $V -f \$f --output-dir $OUT/separate/\${s%.yaml} >/dev/null; done"
hyperfine --style basic --warmup 2 --runs "${BATCH_RUNS:-10}" --export-json "$OUT/batch.json" \
    -n "template --each, one process, $BATCH files" "$BIN template dify -n dify $V --each '$OUT/envs/*.yaml' --output-dir $OUT/each" \
    -n "$BATCH separate processes" "$separate" > "$OUT/batch.txt"
diff -r "$OUT/each" "$OUT/separate" >/dev/null && echo byte-identical > "$OUT/batch-same" || echo DIFFERENT > "$OUT/batch-same"

python3 - "$OUT" <<'PY'
import json, os, platform, sys
out = sys.argv[1]
load = lambda f: {r["command"]: r for r in json.load(open(f"{out}/{f}"))["results"]}
difyx, helm = load("difyx.json"), load("helm.json")
rss = {}
for line in open(f"{out}/rss.txt"):
    tool, name, kib = line.rstrip("\n").split("|")
    rss[tool, name] = int(kib) / 1024
sizes, status = {}, {}
for line in open(f"{out}/cases.txt"):
    name, size, ds, hs = line.rstrip("\n").split("|")
    sizes[name], status[name] = size, (ds, hs)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"chart {os.environ.get('CHART_VERSION', '0.37.0')}; machine: {os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}; "
      f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
print(f"| input | bytes | exit difyx/Helm | difyx median | Helm median | difyx/Helm | difyx peak RSS | Helm peak RSS | RSS ratio |")
print(f"|---|---:|:-:|---:|---:|---:|---:|---:|---:|")
ratios, rss_ratios = [], []
for name, r in difyx.items():
    d, h = r["median"] * 1000, helm[name]["median"] * 1000
    dr, hr = rss["difyx", name], rss["helm", name]
    ratios.append((d / h, name)); rss_ratios.append((dr / hr, name))
    print(f"| {name} | {int(sizes[name]):,} | {status[name][0]}/{status[name][1]} | {d:.2f} ms | {h:.1f} ms | 1/{h / d:.0f} | {dr:.1f} MiB | {hr:.1f} MiB | 1/{hr / dr:.1f} |")
base = difyx["no values file"]["median"]
per_byte = [((difyx[n]["median"] - base) / int(s), n) for n, s in sizes.items() if int(s) >= 16384]
for cost, name in per_byte:
    print(f"per byte: {name}: {cost * 1e9:.1f} ns/byte")
cliff = max(per_byte)[0] / min(per_byte)[0]
worst, worst_rss = max(ratios), max(rss_ratios)
gen = difyx["generated 20k keys, 150 deep"]["median"] * 1000
checks = [
    (f"difyx >= 12x faster than Helm on every input (slowest: {worst[1]}, 1/{1 / worst[0]:.1f})", worst[0] <= 1 / 12),
    (f"cliff figure <= 2: {cliff:.2f} (largest per-byte cost / smallest, inputs >= 16 KiB)", cliff <= 2),
    (f"peak RSS <= 1/4 of Helm's on every input (largest: {worst_rss[1]}, 1/{1 / worst_rss[0]:.1f})", worst_rss[0] <= 0.25),
    (f"generated 20k keys <= 20 ms: {gen:.2f} ms", gen <= 20),
]
batch = json.load(open(f"{out}/batch.json"))["results"]
same = open(f"{out}/batch-same").read().strip()
print(f"batch: {batch[0]['command']}: {batch[0]['median'] * 1000:.1f} ms; {batch[1]['command']}: "
      f"{batch[1]['median'] * 1000:.1f} ms ({batch[1]['median'] / batch[0]['median']:.1f}x); outputs {same}")
for text, ok in checks:
    print(f"target: {'MET ' if ok else 'MISSED'}  {text}")
PY
