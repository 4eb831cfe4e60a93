#!/usr/bin/env bash
# A profile-guided release build of difyx: target/pgo/difyx.
#
#   scripts/pgo.sh                 # build, train, rebuild, check; prints the binary's path
#   LLVM_PROFDATA=/path/to/llvm-profdata scripts/pgo.sh
#
# 1. builds difyx instrumented (-Cprofile-generate), with the release profile
#    and the static-binary flags of .cargo/config.toml (cargo joins the
#    `--config` flags below to those);
# 2. renders the repository's values files with it: the production fixture,
#    its read keys, the examples, the default chart, a synthetic file, and
#    the conformance cases when ../shared is there;
# 3. merges the counts with llvm-profdata;
# 4. rebuilds with them (-Cprofile-use);
# 5. checks that the PGO binary gives every training input the same stdout,
#    stderr and exit status as the plain release build, byte for byte.
#
# llvm-profdata must read the raw profiles of rustc's LLVM (`rustc -vV`).
# It is taken from $LLVM_PROFDATA, else rustup's llvm-tools component, else
# the newest Debian /usr/lib/llvm-*/bin from llvm-19 on (llvm-19 reads
# LLVM 22's profiles; llvm-14 does not); if there is none, Debian's llvm-19
# is installed; when none can be had, the script exits with status 3.
# Gain on the 2-core CI machine: 14 % fewer instructions and
# 9 % less wall time for the production render (docs/performance.md, round
# eight).
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n 's/^host: //p')
out=$PWD/target/pgo
data=$out/profiles
rm -rf "$data" "$out/train" && mkdir -p "$data" "$out/train"

# The oldest Debian LLVM found to read the raw profiles of rustc's LLVM 22.
min_llvm=19
find_profdata() {
    local sysroot candidate
    if [ -n "${LLVM_PROFDATA:-}" ]; then echo "$LLVM_PROFDATA"; return; fi
    sysroot=$(rustc --print sysroot)
    candidate="$sysroot/lib/rustlib/$host/bin/llvm-profdata"
    if [ -x "$candidate" ]; then echo "$candidate"; return; fi
    # shellcheck disable=SC2012 # version-sorted directory names, no odd characters
    candidate=$(ls -d /usr/lib/llvm-*/bin/llvm-profdata 2>/dev/null | sort -V | tail -1)
    case "$candidate" in
        /usr/lib/llvm-*/bin/llvm-profdata)
            version=${candidate#/usr/lib/llvm-}
            if [ "${version%%/*}" -ge "$min_llvm" ]; then echo "$candidate"; fi ;;
    esac
}
profdata=$(find_profdata)
if [ -z "$profdata" ] && command -v apt-get >/dev/null; then
    echo "pgo.sh: installing Debian's llvm-$min_llvm for llvm-profdata" >&2
    apt-get install -y "llvm-$min_llvm" >/dev/null 2>&1 \
        || { apt-get update >/dev/null && apt-get install -y "llvm-$min_llvm" >/dev/null; } \
        || true # judged by what is found next
    profdata=$(find_profdata)
fi
[ -n "$profdata" ] && [ -x "$profdata" ] || {
    echo "pgo.sh: no llvm-profdata: set LLVM_PROFDATA, or install rustup's llvm-tools component or Debian's llvm-$min_llvm" >&2
    exit 3
}

build() { # build TARGET_DIR RUSTFLAG: a release build with one more rustc flag
    cargo build --release --locked --quiet --target-dir "$1" \
        --config "target.$host.rustflags=[\"$2\"]"
}

echo "pgo.sh: instrumented build" >&2
build "$out/gen" "-Cprofile-generate=$data"
cargo build --release --locked --quiet
plain=target/$host/release/difyx

# Training inputs, one argument list per line.
perl -e 'print "externalSecret:\n  enabled: true\nextra:\n";
         for $i (0..1999) { printf "  group%03d:\n", $i / 100 if $i % 100 == 0;
                            printf "    key%03d: \"value-%06d\"\n", $i % 100, $i }' > "$out/train/synthetic.yaml"
{
    echo "template dify -n dify"
    echo "template dify -n dify --set externalSecret.enabled=true"
    for f in tests/fixtures/production-*.yaml examples/*.yaml "$out/train/synthetic.yaml"; do
        echo "template dify -n dify -f $f"
    done
    shared=${DIFYX_SHARED:-../shared}
    for case in "$shared"/conformance/*/; do
        [ -f "$case/values.yaml" ] && echo "template $(cat "$case/args") -f $case/values.yaml"
    done
} > "$out/train/cases"

echo "pgo.sh: training on $(wc -l < "$out/train/cases") renders" >&2
while read -r -a args; do
    "$out/gen/$host/release/difyx" "${args[@]}" </dev/null >/dev/null 2>&1 || true
done < "$out/train/cases"
"$profdata" merge -o "$out/difyx.profdata.new" "$data" || {
    echo "pgo.sh: $profdata cannot read the profiles of rustc's LLVM ($(rustc -vV | sed -n 's/^LLVM version: //p')); use a newer llvm-profdata" >&2
    exit 1
}
# cargo sees the flag, not the profile behind it: a new profile rebuilds all.
if ! cmp -s "$out/difyx.profdata.new" "$out/difyx.profdata"; then rm -rf "$out/use"; fi
mv "$out/difyx.profdata.new" "$out/difyx.profdata"

echo "pgo.sh: optimised build" >&2
build "$out/use" "-Cprofile-use=$out/difyx.profdata"
cp "$out/use/$host/release/difyx" "$out/difyx"

# The profile changes code layout and inlining, never behaviour: hold it to that.
n=0
while read -r -a args; do
    n=$((n + 1))
    set +e
    "$plain" "${args[@]}" </dev/null > "$out/train/plain.out" 2> "$out/train/plain.err"; a=$?
    "$out/difyx" "${args[@]}" </dev/null > "$out/train/pgo.out" 2> "$out/train/pgo.err"; b=$?
    set -e
    if [ "$a" != "$b" ] || ! cmp -s "$out/train/plain.out" "$out/train/pgo.out" \
        || ! cmp -s "$out/train/plain.err" "$out/train/pgo.err"; then
        echo "pgo.sh: the PGO binary differs from the release build on: difyx ${args[*]}" >&2
        exit 1
    fi
done < "$out/train/cases"
echo "pgo.sh: same stdout, stderr and exit status as the release build on all $n training renders" >&2
echo "$out/difyx"
