//! `difyx template [NAME] [CHART] --each GLOB --output-dir DIR`: one release
//! per values file, in one process, in parallel.
//!
//! Each file matching GLOB is rendered as if it were the last `-f` of a
//! separate `difyx template … --output-dir DIR/<file stem>` run (so
//! `-f base.yaml --each 'envs/*.yaml'` layers every env over the base), and
//! writes exactly the bytes that run would. The chart is loaded and its
//! templates parsed once; the `-f` files and `--set` flags are read once;
//! the renders share the engine across min(files, cores) threads.
//!
//! Output is deterministic: the `wrote` lines on stdout and the per-file
//! errors on stderr come in file order, whatever order the threads finish
//! in. A file that fails names itself (`Error: envs/bad.yaml: …`), the
//! others still render, and the command exits 1.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{anyhow, bail, Result};

use crate::command::{Outcome, TemplateArgs};
use crate::engine::Engine;
use crate::manifests::glob;
use crate::pipeline::{self, Options, UserValues, ValuesFile};

/// What one file's render gave: its `wrote` lines, or the error, plus its warnings.
struct FileResult {
    wrote: Result<String, String>,
    warnings: Vec<String>,
}

/// Runs `--each`. Per-file errors are printed on stderr here; the caller
/// prints `warnings` (each prefixed with its file) and the returned stdout.
pub fn run_each(args: &TemplateArgs, warnings: &mut Vec<String>) -> Result<Outcome> {
    let pattern = args
        .each
        .as_deref()
        .ok_or_else(|| anyhow!("--each needs a GLOB"))?;
    let out_dir = args
        .output_dir
        .as_deref()
        .ok_or_else(|| anyhow!("--each needs --output-dir DIR"))?;
    let files = expand(pattern)?;
    if files.is_empty() {
        bail!("--each {pattern}: no values file matches");
    }
    let targets = targets(&files, out_dir)?;

    let opts = args.options()?;
    let chart = args.release.chart(warnings)?;
    let base = args.release.user_values()?;
    let engine = Engine::new(&chart).map_err(pipeline::Error::from)?;

    let render_one = |i: usize| -> FileResult {
        let path = &files[i];
        let name = path.display().to_string();
        let mut warnings = Vec::new();
        let wrote = (|| -> Result<String, String> {
            let text = read_values(path)?;
            let mut user: UserValues = base.clone();
            user.files.push(ValuesFile {
                name: name.clone(),
                text,
            });
            let out =
                pipeline::template_with(&engine, &chart, &user, &opts).map_err(|e| e.to_string());
            let out = out?;
            let dir = target_dir(&targets[i], &opts, args.use_release_name);
            let wrote = crate::output::write_output_dir(out.selected(), &dir);
            warnings = out.warnings;
            wrote.map_err(|e| e.to_string())
        })();
        FileResult { wrote, warnings }
    };

    let results = run_parallel(files.len(), render_one);

    let mut stdout = String::new();
    let mut failed = 0;
    for (path, result) in files.iter().zip(results) {
        let name = path.display();
        warnings.extend(result.warnings.into_iter().map(|w| format!("{name}: {w}")));
        match result.wrote {
            Ok(lines) => stdout.push_str(&lines),
            Err(message) => {
                failed += 1;
                eprintln!("Error: {name}: {message}");
            }
        }
    }
    if failed > 0 {
        eprintln!(
            "Error: {failed} of {} values files failed to render",
            files.len()
        );
        Ok(Outcome::failed(stdout))
    } else {
        Ok(Outcome::ok(stdout))
    }
}

/// Runs `job(0..n)` on min(n, cores) scoped threads; the results in index order.
fn run_parallel<T: Send>(n: usize, job: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(n);
    if workers <= 1 {
        return (0..n).map(job).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let result = job(i);
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            });
        }
    });
    slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every index is rendered once")
        })
        .collect()
}

/// The text of a values file.
fn read_values(path: &Path) -> Result<String, String> {
    crate::values::file::read_text(path)
        .map_err(|e| format!("cannot read values file: {e}"))?
        .map_err(|_| "the values file is not valid UTF-8 text".to_owned())
}

/// `DIR/<stem>` for each file; two files with one stem are an error (they
/// would write over each other).
fn targets(files: &[PathBuf], out_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    let mut out = Vec::new();
    for file in files {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| anyhow!("--each: {} has no file name", file.display()))?;
        if let Some(other) = seen.insert(stem.clone(), file) {
            bail!(
                "--each: {} and {} would both render into {}; give the values files different names",
                other.display(),
                file.display(),
                out_dir.join(&stem).display()
            );
        }
        out.push(out_dir.join(stem));
    }
    Ok(out)
}

/// Where a single run with `--output-dir target` would write.
fn target_dir(target: &Path, opts: &Options, use_release_name: bool) -> PathBuf {
    if use_release_name {
        target.join(&opts.release.name)
    } else {
        target.to_owned()
    }
}

/// The regular files matching `pattern`, sorted. Each `/`-separated segment
/// is a pattern of Go's `filepath.Match` (`*`, `?`, `[a-z]`, `\`), as
/// `--show-only` uses; `*` does not cross `/`.
pub fn expand(pattern: &str) -> Result<Vec<PathBuf>> {
    let (mut current, rest) = match pattern.strip_prefix('/') {
        Some(rest) => (vec![PathBuf::from("/")], rest),
        None => (vec![PathBuf::new()], pattern),
    };
    let segments: Vec<&str> = rest
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    for (n, segment) in segments.iter().enumerate() {
        let last = n + 1 == segments.len();
        let mut next = Vec::new();
        for dir in &current {
            if !has_meta(segment) {
                let path = dir.join(segment);
                if (last && path.is_file()) || (!last && path.is_dir()) {
                    next.push(path);
                }
                continue;
            }
            let listing = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir.as_path()
            };
            let Ok(entries) = std::fs::read_dir(listing) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if !glob::matches(segment, name) {
                    continue;
                }
                let path = dir.join(name);
                if (last && path.is_file()) || (!last && path.is_dir()) {
                    next.push(path);
                }
            }
        }
        next.sort();
        current = next;
    }
    if segments.is_empty() {
        bail!("--each: the pattern {pattern:?} names no file");
    }
    Ok(current)
}

fn has_meta(segment: &str) -> bool {
    segment.contains(['*', '?', '[', '\\'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_shared_across_threads() {
        fn sync<T: Sync>() {}
        sync::<Engine<'static>>();
        sync::<crate::chart::Chart>();
    }

    #[test]
    fn expands_each_segment_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "envs/b.yaml",
            "envs/a.yaml",
            "envs/c.yml",
            "envs/sub/d.yaml",
            "other/e.yaml",
        ] {
            std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
            std::fs::write(root.join(f), "").unwrap();
        }
        let r = root.display();
        let names = |p: &str| -> Vec<String> {
            expand(&format!("{r}/{p}"))
                .unwrap()
                .iter()
                .map(|p| p.strip_prefix(root).unwrap().display().to_string())
                .collect()
        };
        assert_eq!(names("envs/*.yaml"), ["envs/a.yaml", "envs/b.yaml"]);
        assert_eq!(
            names("*/*.yaml"),
            ["envs/a.yaml", "envs/b.yaml", "other/e.yaml"]
        );
        assert_eq!(
            names("envs/*"),
            ["envs/a.yaml", "envs/b.yaml", "envs/c.yml"]
        );
        assert_eq!(names("envs/a.yaml"), ["envs/a.yaml"]);
        assert!(names("nowhere/*.yaml").is_empty());
    }

    #[test]
    fn one_stem_twice_is_an_error() {
        let files = [PathBuf::from("a/prod.yaml"), PathBuf::from("b/prod.yml")];
        let err = targets(&files, Path::new("out")).unwrap_err().to_string();
        assert!(
            err.contains("a/prod.yaml and b/prod.yml would both render into out/prod"),
            "{err}"
        );
    }

    #[test]
    fn parallel_results_keep_index_order() {
        let out = run_parallel(50, |i| i * 2);
        assert_eq!(out, (0..50).map(|i| i * 2).collect::<Vec<_>>());
    }
}
