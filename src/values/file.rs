//! Reading a values file.

use std::io;
use std::path::Path;

/// The text of the file at `path`: the I/O error if it cannot be read, the
/// inner error if its bytes are not UTF-8.
pub fn read_text(path: &Path) -> io::Result<Result<String, std::str::Utf8Error>> {
    let bytes = std::fs::read(path)?;
    Ok(String::from_utf8(bytes).map_err(|e| e.utf8_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_text() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 10, 100_000] {
            let text: String = "key: value\n".repeat(size / 11 + 1)[..size].to_owned();
            let path = dir.path().join(format!("v{size}.yaml"));
            std::fs::write(&path, &text).unwrap();
            assert_eq!(read_text(&path).unwrap().unwrap(), text);
        }
    }

    #[test]
    fn invalid_utf8_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = vec![b'a'; 50];
        bytes[25] = 0xff;
        let path = dir.path().join("bad.yaml");
        std::fs::write(&path, &bytes).unwrap();
        assert!(read_text(&path).unwrap().is_err());
    }

    #[test]
    fn missing_files_and_directories_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_text(&dir.path().join("nope.yaml")).is_err());
        assert!(read_text(dir.path()).is_err());
    }
}
