//! Differential property test of the YAML reader against real Helm 4.3.1.
//!
//! A seeded generator writes random values files — anchors, aliases, merge
//! keys, tags, directives, document markers, escapes, YAML 1.1 scalars and
//! numbers, flow and block styles, block scalars, duplicate and odd keys —
//! and each is read twice:
//!
//! * `helm template x CHART -f FILE`, CHART a throw-away chart with empty
//!   defaults whose only template is `{{ toJson .Values }}`;
//! * `difyx values x TWIN -f FILE`, TWIN the same chart for difyx.
//!
//! Both must fail, or both must succeed with the same values (compared as
//! parsed trees: how numbers are printed is not the reader's business).
//! Helm prints JSON rather than `toYaml`: Helm trims the end of a rendered
//! document (a `|+` scalar printed last loses its final newlines), prints
//! U+0085 raw (read back as a line break; in JSON output it is written as
//! the escape `\N` before reading), and prints a `"<<"` key plain,
//! which its own check of the rendered document then reads as a merge key —
//! none of them about reading values.
//!
//! `HELM_YAML_CASES` sets the number of cases (default 200; CI runs 2,000
//! with `--profile proptest`), `HELM_YAML_SEED` the seed; `HELM_YAML_VERBOSE`
//! prints why each case that fails in both tools failed. Helm is found as
//! `tests/helm_diff.rs` finds it (`$DIFYX_HELM`, `target/tools/helm`, `helm`
//! on `PATH`); without it the test says so loudly and passes, unless
//! `DIFYX_REQUIRE_HELM=1` (CI), where it fails.
//!
//! Keys are drawn so that no two keys of different Go types print the same
//! (`1` and `"1"`): Helm's result for those depends on Go's random map
//! order.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use common::{helm_if_present, Rng};
use difyx::values::yaml::parse_document;
use difyx::values::Value;

/// Plain scalars: YAML 1.1 spellings, numbers of every base, oddities.
const PLAIN: &[&str] = &[
    "a",
    "value",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "Y",
    "True",
    "FALSE",
    "yEs",
    "~",
    "null",
    "Null",
    "NULL",
    "0",
    "-0",
    "+5",
    "007",
    "08",
    "019",
    "0123",
    "-0123",
    "0123.5",
    "0x1F",
    "0X1F",
    "+0x1F",
    "-0x1F",
    "0o17",
    "0O17",
    "0b101",
    "0B101",
    "-0b101",
    "0b",
    "0x",
    "0o8",
    "1e3",
    "1E3",
    "1.5",
    "-2.25",
    ".5",
    ".5_0",
    "._5",
    ".5e1_0",
    "-.5_",
    "+.5",
    "-.5",
    "1.",
    "1.e3",
    ".5e3",
    "1_000",
    "1__0",
    "1_000.5",
    "0.1_5",
    "1_.5",
    "_1",
    "1,000",
    "12345678901234567890",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "0xFFFFFFFFFFFFFFFF",
    "0xFFFFFFFFFFFFFFFFFF",
    "1e400",
    "1e-400",
    "1:30",
    "190:20:30",
    "-1:30",
    "2001-12-14",
    "2001-12-14t21:59:43.10Z",
    "2001-12-14 21:59:43.10",
    "2002-02-30",
    "4Gi",
    "500m",
    "1.6.0",
    "http://x:8080/a",
    "a b",
    "it's",
    "<<",
    "=",
    "-x",
    "~x",
    ".",
    "..",
    ".e3",
    "é ✓",
    "a#b",
    "x:y",
    ".iNf",
];

/// Scalars that make Helm fail wherever they stay (drawn rarely, so that
/// most files render).
const RISKY: &[&str] = &[
    ".inf",
    "-.Inf",
    "+.INF",
    ".nan",
    ".NaN",
    "\"\\/\"",
    "!!int x",
    "!!binary -",
    "*nope",
];

/// Bodies for double-quoted scalars (escapes included; `\/` fails in Helm).
const DQ: &[&str] = &[
    "plain",
    "yes",
    "0123",
    "1e3",
    "\\x41",
    "\\u263A",
    "\\t",
    "\\\\",
    "\\\"",
    "\\'",
    "\\N",
    "\\_",
    "\\e",
    "\\ ",
    "a\\\n  b",
    "multi\n  line",
    "",
    "<<",
    "\\x3c<",
    "\\U0001F600",
];

/// Bodies for single-quoted scalars.
const SQ: &[&str] = &["plain", "it''s", "0123", "yes", "", "a\n  b", "<<"];

/// Base64 for `!!binary`, valid and not.
const BINARY: &[&str] = &["aGVsbG8=", "8J+Y", "/w==", "", "aGVsbG8=", "aGVs\n  bG8="];

/// Map keys whose printed forms never collide across Go types.
const KEYS: &[&str] = &[
    "a", "b", "c", "key", "k-1", "x.y", "ü", "\"q\"", "'sq'", "\"<<\"", "1", "01", "0x10", "-0",
    "1.5", "1e3", ".inf", "-.inf", "on", "n", "Yes", "!!str zz", "\"\"",
];
const RARE_KEYS: &[&str] = &[
    "~",
    "9223372036854775808",
    "[1, 2]",
    "{a: 1}",
    "? complex",
    "*a0",
];

/// Tags, each with values it converts (and sometimes any value).
const TAGS: &[(&str, &[&str])] = &[
    ("!!str", PLAIN),
    (
        "!!int",
        &[
            "5",
            "0x1F",
            "-0123",
            "1_000",
            "9223372036854775808",
            "\"12\"",
        ],
    ),
    ("!!float", &["1", "1.5", ".5", "1e3", "-2", "\"2.5\""]),
    ("!!bool", &["yes", "off", "True", "n", "\"on\""]),
    ("!!null", &["~", "null", "\"\"", ""]),
    (
        "!!timestamp",
        &[
            "2001-12-14",
            "2001-12-14t21:59:43.10Z",
            "2001-12-14 21:59:43.10",
            "2001-1-2",
        ],
    ),
    ("!local", PLAIN),
    ("!", PLAIN),
    ("!<tag:yaml.org,2002:str>", PLAIN),
    ("!!map", &["x"]),
    // goyaml.v2's tags take `,[]`; libyaml's end there.
    ("!a[b]", PLAIN),
    ("!x,y", PLAIN),
    ("!!str,", PLAIN),
];

struct Gen {
    rng: Rng,
    /// Anchors defined so far (all of them, and those on maps).
    anchors: Vec<String>,
    map_anchors: Vec<String>,
    next_anchor: usize,
}

impl Gen {
    fn scalar(&mut self, flow: bool) -> String {
        let r = &mut self.rng;
        let mut s = match r.below(20) {
            0..=10 => {
                let p = r.pick(PLAIN);
                if flow && r.chance(2) {
                    // goyaml.v2 and libyaml 0.2.5 differ on these in flow.
                    format!("{}{}", p, r.pick(&[":", "?", "?x", ":x"]))
                } else {
                    p.to_owned()
                }
            }
            11..=13 => format!("\"{}\"", r.pick(DQ)),
            14 => format!("'{}'", r.pick(SQ)),
            15 => format!("!!binary {}", r.pick(BINARY)),
            16 | 17 => {
                let (tag, fits) = TAGS[r.below(TAGS.len())];
                let v = if r.chance(5) {
                    r.pick(PLAIN)
                } else {
                    r.pick(fits)
                };
                format!("{tag} {v}")
            }
            18 if r.chance(6) => r.pick(RISKY).to_owned(),
            _ => {
                if self.anchors.is_empty() {
                    r.pick(PLAIN).to_owned()
                } else if r.chance(2) {
                    "*nope".to_owned()
                } else {
                    let i = r.below(self.anchors.len());
                    format!("*{}", self.anchors[i])
                }
            }
        };
        if !s.starts_with('*') && self.rng.chance(8) {
            let name = format!("a{}", self.next_anchor);
            self.next_anchor += 1;
            s = format!("&{name} {s}");
            self.anchors.push(name);
        }
        s
    }

    fn key(&mut self) -> String {
        if self.rng.chance(1) {
            self.rng.pick(RARE_KEYS).to_owned()
        } else {
            self.rng.pick(KEYS).to_owned()
        }
    }

    /// An anchor for a collection, or none: its name, made known to
    /// aliases by [`Gen::define`] once the collection is written (an alias
    /// inside it is a cycle, which the scalars draw rarely themselves).
    fn anchor(&mut self) -> Option<String> {
        if !self.rng.chance(25) {
            return None;
        }
        let name = format!("a{}", self.next_anchor);
        self.next_anchor += 1;
        Some(name)
    }

    fn define(&mut self, name: Option<String>, map: bool) {
        if let Some(name) = name {
            if map {
                self.map_anchors.push(name.clone());
            }
            self.anchors.push(name);
        }
    }

    fn flow(&mut self, depth: usize) -> String {
        let r = &mut self.rng;
        if depth > 2 || r.chance(40) {
            return self.scalar(true);
        }
        let n = self.rng.below(4);
        if self.rng.chance(50) {
            let items: Vec<String> = (0..n).map(|_| self.flow(depth + 1)).collect();
            let tag = if self.rng.chance(5) { "!!seq " } else { "" };
            format!("{tag}[{}]", items.join(", "))
        } else {
            let mut items = Vec::new();
            for _ in 0..n {
                if self.rng.chance(10) {
                    items.push(format!("<<: {}", self.merge_source()));
                } else {
                    let k = self.key();
                    items.push(format!("{k}: {}", self.flow(depth + 1)));
                }
            }
            format!("{{{}}}", items.join(", "))
        }
    }

    fn merge_source(&mut self) -> String {
        let r = &mut self.rng;
        match r.below(6) {
            0 | 1 if !self.map_anchors.is_empty() => {
                let i = self.rng.below(self.map_anchors.len());
                format!("*{}", self.map_anchors[i])
            }
            2 if self.map_anchors.len() >= 2 => {
                let i = self.rng.below(self.map_anchors.len());
                let j = self.rng.below(self.map_anchors.len());
                format!("[*{}, *{}]", self.map_anchors[i], self.map_anchors[j])
            }
            3 => "{a: merged, b: 2}".to_owned(),
            // Any anchor: a scalar's or a list's fails in Helm.
            5 if !self.anchors.is_empty() && self.rng.chance(25) => {
                let i = self.rng.below(self.anchors.len());
                format!("*{}", self.anchors[i])
            }
            4 if self.rng.chance(10) => self.scalar(true),
            _ => format!("[{{a: 1}}, {{c: {}}}]", self.rng.pick(PLAIN)),
        }
    }

    /// A block node's text after `key:` or `-` (starting with a space or a
    /// newline), at `indent`.
    fn block_value(&mut self, indent: usize, depth: usize) -> String {
        let r = &mut self.rng;
        match r.below(12) {
            0..=4 => format!(" {}", self.scalar(false)),
            5 | 6 => format!(" {}", self.flow(0)),
            7 => {
                let head = r.pick(&["|", "|-", "|+", ">", ">-", ">+", "|2"]);
                let pad = " ".repeat(indent + 2);
                let mut s = format!(" {head}\n");
                for _ in 0..1 + r.below(3) {
                    if r.chance(20) {
                        s.push('\n');
                    } else {
                        s.push_str(&format!("{pad}{}\n", r.pick(PLAIN)));
                    }
                }
                s.pop();
                s
            }
            _ if depth < 4 => {
                let map = self.rng.chance(60);
                let name = self.anchor();
                let anchor = name.as_ref().map_or(String::new(), |n| format!("&{n} "));
                let tag = if self.rng.chance(5) {
                    if map {
                        "!!map "
                    } else {
                        "!!seq "
                    }
                } else {
                    ""
                };
                let child = indent + 1 + self.rng.below(3);
                let body = if map {
                    self.block_map(child, depth + 1)
                } else {
                    self.block_seq(child, depth + 1)
                };
                if self.rng.chance(95) {
                    self.define(name, map);
                } else if let Some(n) = name {
                    // Now and then a cycle: defined before its body is done.
                    self.anchors.push(n);
                }
                let head = format!("{anchor}{tag}").trim_end().to_owned();
                if head.is_empty() {
                    format!("\n{body}")
                } else {
                    format!(" {head}\n{body}")
                }
                .trim_end_matches('\n')
                .to_owned()
            }
            _ => format!(" {}", self.scalar(false)),
        }
    }

    fn block_map(&mut self, indent: usize, depth: usize) -> String {
        let pad = " ".repeat(indent);
        let mut s = String::new();
        for _ in 0..1 + self.rng.below(4) {
            if self.rng.chance(8) {
                s.push_str(&format!("{pad}# comment\n"));
            }
            if self.rng.chance(8) {
                let src = self.merge_source();
                s.push_str(&format!("{pad}<<: {src}\n"));
                continue;
            }
            let key = self.key();
            if depth < 4 && self.rng.chance(6) {
                // An indentless sequence under the key.
                let seq = self.block_seq(indent, depth + 1);
                s.push_str(&format!("{pad}{key}:\n{seq}"));
                continue;
            }
            let mut v = self.block_value(indent, depth);
            match self.rng.below(30) {
                0 => v.push_str(" # trailing comment"),
                1 if !v.contains('\n') && !v.contains('#') => {
                    // A plain scalar continued on the next line.
                    v.push_str(&format!("\n{pad}  {}", self.rng.pick(PLAIN)));
                }
                2 if v.starts_with(' ') => v = v.replacen(' ', "\t", 1),
                _ => {}
            }
            if key.starts_with("? ") {
                s.push_str(&format!("{pad}{key}\n{pad}:{v}\n"));
            } else {
                s.push_str(&format!("{pad}{key}:{v}\n"));
            }
        }
        s
    }

    fn block_seq(&mut self, indent: usize, depth: usize) -> String {
        let pad = " ".repeat(indent);
        let mut s = String::new();
        for _ in 0..1 + self.rng.below(3) {
            if depth < 4 && self.rng.chance(15) {
                // A compact map: `- k: v` and its further keys under it.
                let inner = self.block_map(indent + 2, depth + 1);
                let inner = inner.trim_start_matches(' ');
                s.push_str(&format!("{pad}- {inner}"));
                continue;
            }
            let v = self.block_value(indent, depth);
            s.push_str(&format!("{pad}-{v}\n"));
        }
        s
    }

    /// A whole values file.
    fn file(&mut self) -> String {
        let mut s = String::new();
        match self.rng.below(40) {
            0 if self.rng.chance(40) => s.push_str("%YAML 1.1\n---\n"),
            1 if self.rng.chance(40) => s.push_str("%TAG !e! tag:example.com,2000:\n---\n"),
            2 => s.push_str("---\n"),
            3 => s.push_str("--- # start\n"),
            4 => s.push('\u{feff}'),
            _ => {}
        }
        if self.rng.chance(5) {
            s.push_str(&format!("{}\n", self.flow(0)));
        } else {
            s.push_str(&self.block_map(0, 0));
        }
        for _ in 0..self.rng.below(3) {
            match self.rng.below(10) {
                0 => s.push_str("...\n"),
                1 if self.rng.chance(30) => s.push_str("---\n...\n"),
                2 if self.rng.chance(30) => s.push_str("--- {x: 1}\n"),
                3 | 4 => {
                    s.push_str("---\n");
                    self.anchors.clear();
                    self.map_anchors.clear();
                    let more = self.block_map(0, 1);
                    s.push_str(&more);
                }
                _ => {
                    let more = self.block_map(0, 1);
                    s.push_str(&more);
                }
            }
        }
        if self.rng.chance(5) {
            s = s.replace('\n', "\r\n");
        }
        s
    }
}

/// Chart.yaml, empty values.yaml and a template printing the values.
fn make_chart(dir: &Path, template: &str) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: probe\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), "").unwrap();
    std::fs::write(dir.join("templates/values.yaml"), template).unwrap();
}

struct Outcome {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn run(program: &Path, args: &[&str], envs: &[(&str, &Path)]) -> Outcome {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_remove("HELM_NAMESPACE")
        .stdin(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    Outcome {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The values a run printed, parsed (Helm's stream framing dropped).
fn values(stdout: &str) -> Result<Value, String> {
    let body: String = stdout
        .split_inclusive('\n')
        .filter(|l| l.trim_end() != "---" && !l.starts_with("# Source: "))
        .collect();
    parse_document(&body, "output").map_err(|e| e.message)
}

#[test]
fn difyx_reads_random_values_files_as_helm_does() {
    let Some(helm) = helm_if_present("helm_yaml") else {
        return;
    };
    let cases: usize = std::env::var("HELM_YAML_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("HELM_YAML_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x5eed_d1f7_a11b);
    let dir = tempfile::tempdir().unwrap();
    let (helm_chart, difyx_chart) = (dir.path().join("helm"), dir.path().join("difyx"));
    make_chart(&helm_chart, "{{ toJson .Values }}\n");
    make_chart(&difyx_chart, "{{ Values | toYaml }}\n");
    let home = dir.path().join("home");
    let (config, cache, data) = (home.join("config"), home.join("cache"), home.join("data"));
    let kubeconfig = home.join("no-kubeconfig");
    let difyx = PathBuf::from(env!("CARGO_BIN_EXE_difyx"));

    let texts: Vec<String> = (0..cases)
        .map(|i| {
            let mut gen = Gen {
                rng: Rng(seed ^ (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
                anchors: Vec::new(),
                map_anchors: Vec::new(),
                next_anchor: 0,
            };
            gen.file()
        })
        .collect();
    let next = AtomicUsize::new(0);
    let problems = Mutex::new(Vec::new());
    let agreed = AtomicUsize::new(0);
    let both_failed = AtomicUsize::new(0);
    let started = std::time::Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(text) = texts.get(i) else { break };
                let file = dir.path().join(format!("case-{i}.yaml"));
                std::fs::write(&file, text).unwrap();
                let file_arg = file.to_str().unwrap();
                let h = run(
                    &helm,
                    &[
                        "template",
                        "x",
                        helm_chart.to_str().unwrap(),
                        "-f",
                        file_arg,
                    ],
                    &[
                        ("HELM_CONFIG_HOME", &config),
                        ("HELM_CACHE_HOME", &cache),
                        ("HELM_DATA_HOME", &data),
                        ("KUBECONFIG", &kubeconfig),
                    ],
                );
                let d = run(
                    &difyx,
                    &["values", "x", difyx_chart.to_str().unwrap(), "-f", file_arg],
                    &[],
                );
                let problem = match (h.ok, d.ok) {
                    (false, false) => {
                        both_failed.fetch_add(1, Ordering::Relaxed);
                        if std::env::var_os("HELM_YAML_VERBOSE").is_some() {
                            let why = |e: &str| e.lines().next().unwrap_or("").to_owned();
                            eprintln!(
                                "both fail {i}: helm: {}\n  difyx: {}",
                                why(&h.stderr),
                                why(&d.stderr)
                            );
                        }
                        if d.stderr.contains("panicked") {
                            Some("difyx panicked".to_owned())
                        } else {
                            None
                        }
                    }
                    // Go's JSON leaves U+0085 raw, which YAML reads as a
                    // line break: write it as the escape it stands for.
                    (true, true) => match (
                        values(&h.stdout.replace('\u{85}', "\\N")),
                        values(&d.stdout),
                    ) {
                        (Ok(a), Ok(b)) if a == b => None,
                        (a, b) => Some(format!("values differ:\nhelm:  {a:?}\ndifyx: {b:?}")),
                    },
                    (true, false) => Some(format!(
                        "helm rendered, difyx failed:\nhelm: {}\ndifyx: {}",
                        h.stdout.trim_end(),
                        d.stderr.trim_end()
                    )),
                    (false, true) => Some(format!(
                        "helm failed, difyx rendered:\nhelm: {}\ndifyx: {}",
                        h.stderr.trim_end(),
                        d.stdout.trim_end()
                    )),
                };
                match problem {
                    None => {
                        agreed.fetch_add(1, Ordering::Relaxed);
                    }
                    Some(p) => problems
                        .lock()
                        .unwrap()
                        .push(format!("=== case {i} (seed {seed}):\n{text}--- {p}\n")),
                }
            });
        }
    });
    let problems = problems.into_inner().unwrap();
    eprintln!(
        "helm_yaml: {cases} cases in {:.1} s: {} agree ({} fail in both), {} differ",
        started.elapsed().as_secs_f64(),
        agreed.load(Ordering::Relaxed),
        both_failed.load(Ordering::Relaxed),
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "{} of {cases} random values files read differently by Helm and difyx:\n\n{}",
        problems.len(),
        problems
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
