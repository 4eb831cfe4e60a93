//! Reading a values file.
//!
//! A regular file is memory-mapped rather than read: its pages come from
//! the page cache, a fault at a time for sixteen of them, instead of being
//! copied into fresh memory that faults once per 4 KiB page (~1.3 us each
//! on the benchmark machine, more than the parse of the page). The mapping
//! is made once per file and kept for the life of the process, which for
//! difyx is one command.
//!
//! As with ripgrep, which maps files the same way, a file truncated by
//! another process while difyx reads it can end the process with SIGBUS;
//! values files are inputs written before the command runs.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Files smaller than this are read: mapping costs a few system calls.
const MAP_FROM: u64 = 16 * 1024;

/// The bytes of the file at `path`.
pub fn read(path: &Path) -> io::Result<Cow<'static, [u8]>> {
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() >= MAP_FROM {
        // SAFETY: the mapping is read-only and private; the file's contents
        // are only read through it (see the module's note on truncation).
        let map = unsafe { memmap2::Mmap::map(&file)? };
        // Kept for the rest of the process, as the owned text would be.
        let map: &'static memmap2::Mmap = Box::leak(Box::new(map));
        return Ok(Cow::Borrowed(&map[..]));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)?;
    Ok(Cow::Owned(bytes))
}

/// [`read`], as UTF-8 text (the inner error when the bytes are not).
pub fn read_text(path: &Path) -> io::Result<Result<Cow<'static, str>, std::str::Utf8Error>> {
    Ok(match read(path)? {
        Cow::Borrowed(bytes) => std::str::from_utf8(bytes).map(Cow::Borrowed),
        Cow::Owned(bytes) => String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|e| e.utf8_error()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_large_files_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 10, MAP_FROM as usize - 1, MAP_FROM as usize, 100_000] {
            let text: String = "key: value\n".repeat(size / 11 + 1)[..size].to_owned();
            let path = dir.path().join(format!("v{size}.yaml"));
            std::fs::write(&path, &text).unwrap();
            let read = read_text(&path).unwrap().unwrap();
            assert_eq!(read, text);
            assert_eq!(
                matches!(read, Cow::Borrowed(_)),
                size as u64 >= MAP_FROM,
                "mapped from {MAP_FROM} bytes"
            );
        }
    }

    #[test]
    fn invalid_utf8_is_reported_mapped_or_not() {
        let dir = tempfile::tempdir().unwrap();
        for size in [10, 50_000] {
            let mut bytes = vec![b'a'; size];
            bytes[size / 2] = 0xff;
            let path = dir.path().join("bad.yaml");
            std::fs::write(&path, &bytes).unwrap();
            assert!(read_text(&path).unwrap().is_err());
        }
    }

    #[test]
    fn missing_files_and_directories_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(&dir.path().join("nope.yaml")).is_err());
        assert!(read(dir.path()).is_err());
    }
}
