//! `--set` family parser (Helm's `pkg/strvals`). Being written; see the helper's report.

use super::Map;

/// Which `--set*` flag a piece of text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    Json,
    Set,
    String,
    File,
    Literal,
}

/// An error from parsing one `--set*` argument.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StrvalsError(pub String);

/// Parses one `--set*` argument into `dest`.
pub fn parse_into(_s: &str, _dest: &mut Map, _kind: SetKind) -> Result<(), StrvalsError> {
    Err(StrvalsError("--set is not implemented yet".into()))
}
