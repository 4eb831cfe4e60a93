//! Shared test helpers: running the binary, locating `../shared`, and
//! comparing YAML streams the way Kubernetes reads them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use difyx::values::yaml::parse_document;
use difyx::values::Value;

/// The shared folder beside the repository (`DIFYX_SHARED` overrides).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("DIFYX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the difyx binary with `args` (and optional stdin), without HELM_NAMESPACE.
pub fn difyx(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_difyx"));
    cmd.args(args)
        .env_remove("HELM_NAMESPACE")
        .current_dir(repo_dir());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run difyx");
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().expect("wait for difyx")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

/// One document of a stream: its `# Source:` path and its parsed tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub source: String,
    pub tree: Value,
}

/// Splits a stream on `---` lines and parses each non-empty document.
pub fn parse_stream(text: &str) -> Vec<Doc> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, docs: &mut Vec<Doc>| {
        if !current.trim().is_empty() {
            let source = current
                .lines()
                .find_map(|l| l.strip_prefix("# Source: "))
                .unwrap_or("")
                .trim()
                .to_owned();
            let tree = parse_document(current, &source).unwrap_or_else(|e| {
                panic!("document from {source} does not parse: {e}\n{current}")
            });
            docs.push(Doc { source, tree });
        }
        current.clear();
    };
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            flush(&mut current, &mut docs);
        } else {
            current.push_str(line);
        }
    }
    flush(&mut current, &mut docs);
    docs
}

/// `kind/metadata.name` of a document.
pub fn doc_id(tree: &Value) -> String {
    let get = |path: &[&str]| {
        tree.lookup(path.iter().copied())
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    format!("{}/{}", get(&["kind"]), get(&["metadata", "name"]))
}

/// The documents of a stream as raw text, each from its `---` line up to
/// (not including) the next document's `---` line: blank lines, spacing and
/// quoting kept.
pub fn raw_documents(stream: &str) -> Vec<&str> {
    let mut starts: Vec<usize> = stream
        .match_indices("---\n# Source: ")
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || stream.as_bytes()[i - 1] == b'\n')
        .collect();
    starts.push(stream.len());
    starts.windows(2).map(|w| &stream[w[0]..w[1]]).collect()
}

/// `ExternalSecret/<metadata.name>` of a raw ExternalSecret document, or
/// `None` for any other kind.
pub fn raw_external_secret_id(doc: &str) -> Option<String> {
    doc.lines().any(|l| l == "kind: ExternalSecret").then(|| {
        let name = doc
            .lines()
            .skip_while(|l| *l != "metadata:")
            .find_map(|l| l.strip_prefix("  name: "))
            .unwrap_or("");
        format!("ExternalSecret/{}", name.trim_matches('"'))
    })
}

/// The ExternalSecret documents of a stream, raw, with their ids.
pub fn raw_external_secrets(stream: &str) -> Vec<(String, &str)> {
    raw_documents(stream)
        .into_iter()
        .filter_map(|d| raw_external_secret_id(d).map(|id| (id, d)))
        .collect()
}

/// The Helm the differential tests compare with.
pub const HELM_VERSION: &str = "v4.3.1";

/// The version line of a helm binary, if it runs.
pub fn helm_version(path: &Path) -> Option<String> {
    let out = Command::new(path)
        .args(["version", "--short"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The first `name` on `PATH`.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Helm 4.3.1 where it already is (`$DIFYX_HELM`, `target/tools/helm`,
/// `../tools/helm`, `helm` on `PATH`; nothing is installed). Without it,
/// `None` after a loud SKIPPED naming `what` did not run, or a panic when
/// `DIFYX_REQUIRE_HELM=1`.
pub fn helm_if_present(what: &str) -> Option<PathBuf> {
    let is_wanted = |p: &Path| helm_version(p).is_some_and(|v| v.starts_with(HELM_VERSION));
    let found = std::env::var_os("DIFYX_HELM")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            repo_dir().join("target/tools/helm"),
            repo_dir().join("../tools/helm"),
        ])
        .chain(on_path("helm"))
        .find(|p| p.is_file() && is_wanted(p));
    if found.is_none() {
        let required = std::env::var("DIFYX_REQUIRE_HELM").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "DIFYX_REQUIRE_HELM=1 but no Helm {HELM_VERSION} found ($DIFYX_HELM, target/tools/helm, ../tools/helm, PATH)"
        );
        eprintln!(
            "\n*** SKIPPED: no Helm {HELM_VERSION} ($DIFYX_HELM, target/tools/helm, ../tools/helm, PATH); \
             {what} did not run. Install it with `bash ../shared/tools/get-helm.sh target/tools`, \
             or set DIFYX_REQUIRE_HELM=1 to make this an error. ***\n"
        );
    }
    found
}

/// A small deterministic generator (xorshift64*): every run checks the
/// same cases, and a failure names a reproducible seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    /// About half of `items`, shuffled.
    pub fn subset<'a>(&mut self, items: &[&'a str]) -> Vec<&'a str> {
        let mut v: Vec<&str> = items.iter().copied().filter(|_| self.chance(50)).collect();
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
        v
    }
}

/// A chart directory holding `charts/dify` (templates, values, schema) as
/// chart 0.27.0: the embedded chart has no Chart.yaml of its own (each
/// release's is built in), so the one `difyx show chart --version 0.27.0`
/// prints is written beside the copied files. A chart directory has no
/// release features, so it renders as 0.27.0 does.
pub fn chart_dir_0_27_0(dest: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    copy(&repo_dir().join("charts/dify"), dest);
    let out = difyx(&["show", "chart", "--version", "0.27.0"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(dest.join("Chart.yaml"), &out.stdout).unwrap();
}

/// `helm template` output as the rendered files it came from (documents
/// grouped by their `# Source: dify/…` line, in order of first appearance),
/// ready for `difyx::manifests::split`.
#[allow(dead_code)]
pub fn helm_files(text: &str) -> Vec<difyx::engine::RenderedFile> {
    let mut files: Vec<difyx::engine::RenderedFile> = Vec::new();
    for doc in text.split("\n---\n") {
        let Some(source) = doc
            .lines()
            .find_map(|l| l.strip_prefix("# Source: dify/"))
            .map(str::to_owned)
        else {
            continue;
        };
        match files.iter_mut().find(|f| f.path == source) {
            Some(f) => {
                f.text.push_str("\n---\n");
                f.text.push_str(doc);
            }
            None => files.push(difyx::engine::RenderedFile {
                path: source,
                text: doc.to_owned(),
            }),
        }
    }
    files
}
