#!/usr/bin/env bash
# Writes build/hot-text.ld: the linker script that places the code a render
# runs together, at the start of the binary's code (build.rs passes it to
# the linker on Linux).
#
#   scripts/hot-text.sh            # needs valgrind and python3
#
# Why: on the 2-core Firecracker CI machines each first touch of a code
# page maps the 64 KiB around it, ~3 µs a touch, and the ~1 MB of code a
# production render runs was spread over 62 such windows of the binary's
# 8 MB of code; grouped, it takes 29 (docs/performance.md, round ten), and
# in a 2 MiB block of its own, one huge page (round eleven; the script
# also gives the read-only data such a block, and places the entry stub of
# src/main.rs after all other code).
#
# How:
# 1. builds difyx unstripped, with a linker map, in target/hot-text;
# 2. runs it under callgrind on the repository's values files (the default
#    chart, the production fixture and its read keys, the examples,
#    `--version`) and collects every function that ran;
# 3. finds each one's input section in the map and writes a pattern for it,
#    in the order of the profiled binary's addresses:
#    * Rust functions by symbol, with the parts that change from build to
#      build left to a wildcard: v0 symbols (.cargo/config.toml sets v0
#      mangling) carry crate hashes (`Cs<hash>_`) and back-references
#      whose offsets follow those hashes' lengths (`B<offset>_`); legacy
#      symbols (std's own) end in a hash (`17h<hash>E`); local functions
#      LTO renamed apart end in a counter (`.617`);
#    * C functions (glibc's, statically linked) by archive member and section.
# A pattern that no longer matches anything (a function renamed or gone)
# places nothing: the script goes stale gracefully, and rerunning it after
# large changes to the render's code keeps the grouping tight.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "hot-text.sh: needs valgrind" >&2; exit 3; }
host=$(rustc -vV | sed -n 's/^host: //p')
out=$PWD/target/hot-text
mkdir -p "$out" && rm -f "$out"/callgrind.*

echo "hot-text.sh: unstripped build with a linker map" >&2
CARGO_PROFILE_RELEASE_STRIP=false cargo build --release --locked --quiet --target-dir "$out" \
    --config "target.$host.rustflags=[\"-Clink-arg=-Wl,-Map=$out/difyx.map\", \"-Clink-arg=-Wl,--no-demangle\"]"
bin=$out/$host/release/difyx

n=0
run() {
    n=$((n + 1))
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$out/callgrind.$n" \
        "$bin" "$@" </dev/null >/dev/null 2>&1 || true
}
run --version
run template dify -n dify
run template dify -n dify --set externalSecret.enabled=true
for f in tests/fixtures/production-*.yaml examples/*.yaml; do run template dify -n dify -f "$f"; done
echo "hot-text.sh: profiled $n runs" >&2

python3 - "$out" build/hot-text.ld <<'EOF'
import glob, os, re, sys

out, target = sys.argv[1], sys.argv[2]

ran = set()
for path in glob.glob(os.path.join(out, "callgrind.*")):
    for line in open(path, errors="replace"):
        m = re.match(r"c?fn=\(\d+\) (\S+)", line)
        if m:
            ran.add(m.group(1).split("'")[0])

# Input sections of the map: "vma lma size align  file:(section)", each
# followed by its symbols: "vma lma size align    symbol".
sections = []  # (vma, file, section, [symbols])
for line in open(os.path.join(out, "difyx.map")):
    parts = line.split()
    if len(parts) < 5 or not re.fullmatch(r"[0-9a-f]+", parts[0]):
        continue
    rest = " ".join(parts[4:])
    m = re.fullmatch(r"(.+):\((\.text[^)]*)\)", rest)
    if m:
        sections.append((int(parts[0], 16), m.group(1), m.group(2), []))
    elif sections and ":(" not in rest:
        sections[-1][3].append(rest)

def wildcard(symbol):
    # Local functions that LTO renamed apart carry a counter (`clone.617`)
    # that shifts with any change to the code.
    symbol = re.sub(r"\.[0-9]+$", ".*", symbol)
    if symbol.startswith("_R"):
        # A generic function's symbol ends in the crate that instantiated
        # it, and which crate's copy LTO keeps changes with the build's
        # flags (fancy_regex's in the profiled build, difyx's in the
        # release build).
        # (A crate root, `Cs<hash>_<length><name>`, can end a symbol only
        # as that crate.)
        for root in re.finditer(r"Cs[0-9A-Za-z]*_([0-9]+)", symbol):
            name = symbol[root.end():]
            if len(name) == int(root.group(1)) and re.fullmatch(r"[A-Za-z_]\w*", name):
                symbol = symbol[:root.start()] + "*"
                break
        symbol = re.sub(r"Cs[0-9A-Za-z]+_", "Cs*_", symbol)
        return re.sub(r"B[0-9A-Za-z]*_", "B*_", symbol)
    return re.sub(r"17h[0-9a-f]{16}E$", "17h*E", symbol)

patterns, seen = [], set()
for vma, path, section, symbols in sorted(sections):
    if not ran.intersection(symbols):
        continue
    rust = re.fullmatch(r"(\.text\.(?:unlikely\.|hot\.|startup\.)?)(_[RZ].*)", section)
    if rust:
        # LLVM names a function's section after it, with a prefix for code
        # it finds hot or cold, which a PGO build (scripts/pgo.sh) changes.
        pattern = "*(.text*.%s)" % wildcard(rust.group(2))
    else:
        m = re.fullmatch(r".*/([^/]+\.a)\(([^)]+)\)", path)
        if not m:
            continue  # a whole object's .text: nothing to single out
        # libm-2.36.a: any glibc's
        archive = re.sub(r"-[0-9.]+\.a$", "*.a", m.group(1))
        member = m.group(2)
        # glibc picks a string function's variant for the CPU at start-up,
        # and valgrind's CPU is not the machine's: take every variant (of a
        # function whose chooser alone ran, too).
        variant = re.fullmatch(r"((?:mem|str|wcs|wmem|rawmem|stp)\w*?)(?:-.*)?\.o", member)
        if variant:
            pattern = "*%s:%s*.o(.text*)" % (archive, variant.group(1))
        else:
            pattern = "*%s:%s(%s)" % (archive, member, section)
    if pattern not in seen:
        seen.add(pattern)
        patterns.append(pattern)
# Under valgrind, which gives a process no vDSO, glibc's start-up skips
# reading the vDSO's symbols; natively it runs, before `main`.
for pattern in ["*libc*.a:dl-object.o(.text*)", "*libc*.a:dl-lookup.o(.text*)",
                "*libc*.a:dl-setup_hash.o(.text*)", "*libc*.a:strcmp*.o(.text*)"]:
    if pattern not in seen:
        seen.add(pattern)
        patterns.append(pattern)

with open(target, "w") as f:
    f.write("/* The code a render runs, placed together before the rest of .text, at\n"
            "   the start of a 2 MiB block of its own: mapped with one huge page\n"
            "   (src/main.rs, difyx_entry). Written by scripts/hot-text.sh; build.rs\n"
            "   passes it to the linker on Linux. A pattern that matches nothing\n"
            "   places nothing. */\n"
            "SECTIONS {\n  .text.render ALIGN(0x200000) : {\n")
    for p in patterns:
        f.write("    %s\n" % p)
    # What a profile-guided build (scripts/pgo.sh) found hot, after the
    # functions above: its inlining makes other functions than these.
    f.write("    *(.text.hot .text.hot.*)\n")
    f.write("  }\n}\nINSERT BEFORE .text;\n")
    # The entry stub runs before the huge-page advice is given: the pages
    # read in around it must be far from the render's block.
    f.write("\n/* The process's entry (src/main.rs), far from the render's block. */\n"
            "SECTIONS {\n  .text.entry : { *(.text.entry) }\n}\nINSERT AFTER .text;\n")
    f.write("\n/* Read-only data in a 2 MiB block of its own (src/main.rs, difyx_entry),\n"
            "   away from the ELF headers at the start of the file, which the kernel\n"
            "   reads in small pages at exec; padded to the end of the block, so that\n"
            "   the segment's mapping covers all of it. */\n"
            "SECTIONS {\n  .rodata ALIGN(0x200000) : {\n    *(.rodata .rodata.*)\n"
            "    . = ALIGN(0x200000);\n  }\n}\nINSERT AFTER .eh_frame;\n")
print("hot-text.sh: %d functions ran, %d patterns written to %s" % (len(ran), len(patterns), target),
      file=sys.stderr)
EOF
