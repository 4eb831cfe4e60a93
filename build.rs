//! Embeds the chart's `values.schema.json` without its annotations.
//!
//! The schema is read at every render; two thirds of its 110 KB are
//! descriptions for people, which the JSON parser would read and allocate
//! only to throw them away. `charts/dify/values.schema.json` stays the
//! source; `$OUT_DIR/values.schema.min.json` is what the binary embeds, and
//! `src/chart` tests that it validates as the source does.

use std::path::Path;

include!("src/chart/annotations.rs");

fn main() {
    hot_text();
    defaults();
    let source = "charts/dify/values.schema.json";
    println!("cargo::rerun-if-changed={source}");
    println!("cargo::rerun-if-changed=src/chart/annotations.rs");
    let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let mut schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
    strip_annotations(&mut schema);
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("values.schema.min.json");
    std::fs::write(&out, schema.to_string()).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

/// The embedded chart's default values, encoded for `src/chart`'s decoder
/// (`$OUT_DIR/values.defaults.bin`): read here once rather than at every
/// render, where reading them took ~0.24 M instructions
/// (`docs/performance.md`, round eleven).
///
/// Data, not code: as Rust expressions building the map they compiled to
/// 51 KB of straight-line code run once per render, every line of it
/// fetched from memory; encoded, they are 5.6 KB read in order by a loop of
/// a few dozen instructions (`docs/performance.md`, round twelve).
///
/// serde-saphyr reads the file with the runtime reader's options into
/// JSON-like values, every number a float64 as Helm's are. That is the
/// runtime reading for the subset of YAML the chart's file is written in;
/// `src/chart` tests that the two agree on it, so an edit to the file that
/// leaves the subset fails the tests rather than changing the defaults.
fn defaults() {
    let source = "charts/dify/values.yaml";
    println!("cargo::rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        legacy_octal_numbers: true,
        strict_booleans: false,
    };
    let value: serde_json::Value = serde_saphyr::from_str_with_options(&text, options)
        .unwrap_or_else(|e| panic!("{source}: {e}"));
    if !value.is_object() {
        panic!("{source}: the top level must be a mapping");
    }
    let mut encoded = Encoded::default();
    encoded.value(&value);
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for (name, bytes) in [
        ("values.defaults.bin", &encoded.tree),
        ("values.defaults.txt", &encoded.text.into_bytes()),
    ] {
        let out = Path::new(&dir).join(name);
        std::fs::write(&out, bytes).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    }
}

/// The encoding `src/chart/defaults.rs` decodes: the text of every string
/// (keys and values) one after the other, and the tree. In the tree, each
/// value is a tag byte (`~` null, `t`/`f` booleans, `d` a float64, `s` a
/// string, `l` a list, `m` a map), then for a float its 8 bytes, for a
/// string where its text ends, for a collection its length and items (a
/// map's as key, value, in byte-wise key order). Numbers are u32 or f64,
/// little-endian; a string's text starts where the one before it ends.
#[derive(Default)]
struct Encoded {
    tree: Vec<u8>,
    text: String,
}

impl Encoded {
    fn value(&mut self, value: &serde_json::Value) {
        use serde_json::Value as J;
        match value {
            J::Null => self.tree.push(b'~'),
            J::Bool(b) => self.tree.push(if *b { b't' } else { b'f' }),
            J::Number(n) => {
                self.tree.push(b'd');
                let f = n.as_f64().expect("a finite number");
                self.tree.extend_from_slice(&f.to_le_bytes());
            }
            J::String(s) => {
                self.tree.push(b's');
                self.string(s);
            }
            J::Array(items) => {
                self.tree.push(b'l');
                self.number(items.len());
                for item in items {
                    self.value(item);
                }
            }
            J::Object(entries) => {
                self.tree.push(b'm');
                let mut entries: Vec<_> = entries.iter().collect();
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                self.number(entries.len());
                for (key, value) in entries {
                    self.string(key);
                    self.value(value);
                }
            }
        }
    }

    fn string(&mut self, s: &str) {
        self.text.push_str(s);
        self.number(self.text.len());
    }

    fn number(&mut self, n: usize) {
        let n = u32::try_from(n).expect("the defaults are under 4 GiB");
        self.tree.extend_from_slice(&n.to_le_bytes());
    }
}

/// Places the code a render runs together (`build/hot-text.ld`, written by
/// `scripts/hot-text.sh`): each first touch of a code page maps the 64 KiB
/// around it, and a render's code spread over the whole binary took ~60 of
/// those on Linux (`docs/performance.md`, round ten); grouped in one 2 MiB
/// block, it is mapped by a single huge page (round eleven). The script's
/// `INSERT BEFORE .text` keeps the linker's own layout for everything
/// else; both lld and GNU ld read it.
fn hot_text() {
    let script = "build/hot-text.ld";
    println!("cargo::rerun-if-changed={script}");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") && Path::new(script).exists()
    {
        let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        println!("cargo::rustc-link-arg-bins=-Wl,-T,{dir}/{script}");
        // File offsets congruent to addresses modulo 2 MiB, so that the
        // script's 2 MiB-aligned blocks (the hot code, the read-only data)
        // can each be mapped with one huge page.
        println!("cargo::rustc-link-arg-bins=-Wl,-z,max-page-size=0x200000");
        let var = |name: &str| std::env::var(name).unwrap_or_default();
        if var("CARGO_CFG_TARGET_ENV") == "gnu" && var("CARGO_CFG_TARGET_ARCH") == "x86_64" {
            // src/main.rs: asks for that huge page before any code runs.
            println!("cargo::rustc-link-arg-bins=-Wl,--entry=difyx_entry");
        }
    }
}
