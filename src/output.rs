//! Writing a render to disk: `--output-dir`, in Helm's layout.
//!
//! Helm writes `DIR/<chart>/templates/<file>` (with `--release-name`,
//! `DIR/<release>/<chart>/templates/<file>`), one `---` block per document,
//! and prints `wrote <path>` once per document. difyx does the same, but
//! only after the whole render succeeded, and writes each file atomically:
//! a temporary file beside the target, renamed over it, so a crash never
//! leaves half a file. Files are created readable by their owner only
//! (0600): they hold Secrets.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::manifests::Manifest;

/// A file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Where each document goes, grouped by file, in output order of first use.
pub fn plan(manifests: &[Manifest], dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for m in manifests {
        let path = dir.join(&m.source);
        let mut block = String::new();
        m.push_framed(&mut block);
        match files.iter_mut().find(|(p, _)| *p == path) {
            Some((_, text)) => text.push_str(&block),
            None => files.push((path, block)),
        }
    }
    files
}

/// Writes every file of `plan` atomically; returns Helm's `wrote` lines.
pub fn write_output_dir(manifests: &[Manifest], dir: &Path) -> Result<String, WriteError> {
    for (path, text) in plan(manifests, dir) {
        write_atomically(&path, text.as_bytes())?;
    }
    let mut report = String::new();
    for m in manifests {
        report.push_str(&format!("wrote {}\n", dir.join(&m.source).display()));
    }
    Ok(report)
}

/// Creates `path` (and its folders) with `bytes`, replacing it in one rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_owned(),
        source,
    };
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(err)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".difyx-")
        .tempfile_in(parent)
        .map_err(err)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RenderedFile;
    use crate::manifests::split;

    #[test]
    fn helm_layout_and_wrote_lines() {
        let files = [
            RenderedFile {
                path: "templates/a.yaml".into(),
                text:
                    "kind: Secret\nmetadata: {name: a}\n---\nkind: ConfigMap\nmetadata: {name: b}\n"
                        .into(),
            },
            RenderedFile {
                path: "templates/b.yaml".into(),
                text: "kind: Secret\nmetadata: {name: z}\n".into(),
            },
        ];
        let mut m = split("c", &files).unwrap();
        crate::manifests::sort_by_kind(&mut m);
        let dir = tempfile::tempdir().unwrap();
        let report = write_output_dir(&m, dir.path()).unwrap();
        let d = dir.path().display();
        assert_eq!(
            report,
            format!("wrote {d}/c/templates/a.yaml\nwrote {d}/c/templates/b.yaml\nwrote {d}/c/templates/a.yaml\n")
        );
        let a = std::fs::read_to_string(dir.path().join("c/templates/a.yaml")).unwrap();
        assert_eq!(
            a,
            "---\n# Source: c/templates/a.yaml\nkind: Secret\nmetadata: {name: a}\n\n\
             ---\n# Source: c/templates/a.yaml\nkind: ConfigMap\nmetadata: {name: b}\n\n"
        );
        // No temporary files are left behind.
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("c/templates"))
            .unwrap()
            .collect();
        assert_eq!(leftovers.len(), 2);
    }
}
