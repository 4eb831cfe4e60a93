//! Printing findings: text for people (grouped by values file and path,
//! coloured on a terminal) and JSON for CI.

use std::ffi::OsStr;
use std::fmt::Write as _;

use super::rules::{Finding, Severity};

/// Whether to colour the text output: stdout is a terminal and `NO_COLOR`
/// is unset or empty (<https://no-color.org>); `CLICOLOR_FORCE` (non-empty,
/// not `0`) forces colour off a terminal, but `NO_COLOR` still wins.
pub fn use_color(is_terminal: bool, no_color: Option<&OsStr>, force: Option<&OsStr>) -> bool {
    if no_color.is_some_and(|v| !v.is_empty()) {
        return false;
    }
    is_terminal || force.is_some_and(|v| !v.is_empty() && v != "0")
}

/// The findings as a JSON array, in their (sorted) order, one trailing newline.
pub fn json(findings: &[Finding]) -> String {
    let mut out = serde_json::to_string_pretty(findings).expect("findings serialize");
    out.push('\n');
    out
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    fn severity(&self, sev: Severity) -> String {
        match sev {
            Severity::Error => self.wrap("1;31", "error"),
            Severity::Warning => self.wrap("1;33", "warning"),
            Severity::Info => self.wrap("1;36", "info"),
        }
    }
}

/// The group heading of findings not set in any values file.
pub const NO_FILE: &str = "(not set in a values file: chart defaults, --set or the command line)";

/// Text: one group per values file (in `-f` order, then findings from no
/// file), within it one block per value path, then a summary line.
pub fn text(findings: &[Finding], files: &[String], strict: bool, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    if findings.is_empty() {
        out.push_str("no problems found\n");
        return out;
    }
    let mut groups: Vec<Option<&str>> = files.iter().map(|f| Some(f.as_str())).collect();
    groups.push(None);
    let mut seen = Vec::new();
    groups.retain(|g| {
        let new = !seen.contains(g);
        seen.push(*g);
        new
    });
    let mut first = true;
    for group in groups {
        let in_group: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.file.as_deref() == group)
            .collect();
        if in_group.is_empty() {
            continue;
        }
        if !first {
            out.push('\n');
        }
        first = false;
        let _ = writeln!(out, "{}", paint.wrap("1", group.unwrap_or(NO_FILE)));
        let mut last_path: Option<&str> = None;
        for f in in_group {
            if last_path != Some(f.path.as_str()) {
                let path = if f.path.is_empty() {
                    "(no value path)"
                } else {
                    &f.path
                };
                let _ = writeln!(out, "  {}", paint.wrap("4", path));
                last_path = Some(&f.path);
            }
            let _ = writeln!(
                out,
                "    {}[{}] {}: {}",
                paint.severity(f.severity),
                f.id,
                f.rule,
                indent_rest(&f.message, 6)
            );
            let _ = writeln!(
                out,
                "      {} {}",
                paint.wrap("2", "hint:"),
                indent_rest(&f.hint, 6)
            );
        }
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let _ = writeln!(
        out,
        "\n{}, {}, {}{}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Info), "info"),
        if strict && count(Severity::Warning) > 0 {
            " (--strict: warnings count as errors)"
        } else {
            ""
        }
    );
    out
}

/// Multi-line text with every line after the first indented.
fn indent_rest(s: &str, width: usize) -> String {
    s.replace('\n', &format!("\n{}", " ".repeat(width)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::{rule, Finding};

    fn finding(id: &str, path: &str, file: Option<&str>) -> Finding {
        let mut f = Finding::new(rule(id), path, format!("message of {id}"), "do this".into());
        f.file = file.map(str::to_owned);
        f
    }

    #[test]
    fn color_follows_terminal_and_no_color() {
        assert!(use_color(true, None, None));
        assert!(!use_color(false, None, None));
        assert!(!use_color(true, Some(OsStr::new("1")), None));
        assert!(
            use_color(true, Some(OsStr::new("")), None),
            "an empty NO_COLOR is unset"
        );
        assert!(use_color(false, None, Some(OsStr::new("1"))));
        assert!(!use_color(false, None, Some(OsStr::new("0"))));
        assert!(!use_color(
            false,
            Some(OsStr::new("1")),
            Some(OsStr::new("1"))
        ));
    }

    #[test]
    fn text_groups_by_file_then_path() {
        let findings = vec![
            finding("DFX031", "api.secretKey", None),
            finding("DFX010", "externalSecret.api.remoteRefs.X", Some("b.yaml")),
            finding("DFX012", "externalSecret.api.remoteRefs.X", Some("b.yaml")),
            finding("DFX030", "api.secretKey", Some("a.yaml")),
        ];
        let out = text(&findings, &["a.yaml".into(), "b.yaml".into()], false, false);
        let expected = format!(
            "a.yaml
  api.secretKey
    warning[DFX030] plaintext-ignored: message of DFX030
      hint: do this

b.yaml
  externalSecret.api.remoteRefs.X
    warning[DFX010] unsupported-remote-ref: message of DFX010
      hint: do this
    info[DFX012] unmentioned-default-ref: message of DFX012
      hint: do this

{NO_FILE}
  api.secretKey
    error[DFX031] default-secret: message of DFX031
      hint: do this

1 error, 2 warnings, 1 info
"
        );
        assert_eq!(out, expected);
        assert!(!out.contains('\x1b'));
        let colored = text(&findings, &["a.yaml".into(), "b.yaml".into()], true, true);
        assert!(colored.contains("\x1b[1;31merror\x1b[0m"));
        assert!(colored.ends_with("(--strict: warnings count as errors)\n"));
    }

    #[test]
    fn empty_outputs() {
        assert_eq!(text(&[], &[], false, true), "no problems found\n");
        assert_eq!(json(&[]), "[]\n");
    }

    #[test]
    fn json_shape_is_stable() {
        let out = json(&[finding("DFX031", "api.secretKey", None)]);
        assert_eq!(
            out,
            r#"[
  {
    "id": "DFX031",
    "rule": "default-secret",
    "severity": "error",
    "path": "api.secretKey",
    "message": "message of DFX031",
    "hint": "do this",
    "file": null
  }
]
"#
        );
    }
}
