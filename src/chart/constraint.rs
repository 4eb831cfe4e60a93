//! SemVer version constraints as Helm reads them (Masterminds semver v3):
//! `--version` ranges, and the `version` of a `Chart.yaml` dependency.
//!
//! A constraint is one or more groups joined by `||`; a group is one or more
//! comparators separated by spaces or commas, all of which must hold:
//!
//! | form | meaning |
//! |---|---|
//! | `1.2.3`, `=1.2.3`, `v1.2.3` | exactly that version |
//! | `!=1.2.3` | anything else |
//! | `>`, `>=` (`=>`), `<`, `<=` (`=<`) | ordered by SemVer precedence |
//! | `~1.2.3` (`~>`) | `>=1.2.3 <1.3.0`; `~1` is `>=1.0.0 <2.0.0` |
//! | `^1.2.3` | `>=1.2.3 <2.0.0`; `^0.36` is `>=0.36.0 <0.37.0`; `^0.0.3` is `=0.0.3` |
//! | `1.2.x`, `1.*`, `*`, `1`, `1.2` | wildcards: a missing or `x`/`X`/`*` part matches any value |
//! | `1.2 - 1.4.5` | hyphen range: `>=1.2 <=1.4.5` (spaces around `-` required) |
//!
//! Pre-releases: a version with a pre-release (`0.38.0-rc2`) matches a
//! group only if a comparator of that group names a pre-release itself
//! (`>=0.38.0-0`); an exact `=0.38.0-rc2` names it.

use semver::{Prerelease, Version};

/// A parsed constraint.
#[derive(Clone, Debug)]
pub struct Constraint {
    /// The `||` groups; a version must satisfy every comparator of one group.
    groups: Vec<Vec<Comparator>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// No operator: exact, or a tilde range when the version has wildcards.
    TildeOrEqual,
    Equal,
    NotEqual,
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Clone, Debug)]
struct Comparator {
    op: Op,
    /// The version with wildcards read as 0.
    version: Version,
    /// The minor part is missing or a wildcard (`1`, `1.x`); the major too for `*`.
    minor_dirty: bool,
    /// The patch part is missing or a wildcard (`1.2`, `1.2.x`).
    patch_dirty: bool,
    /// Any part is a wildcard or missing.
    dirty: bool,
}

fn is_wild(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// A version as Helm reads one leniently (`NewVersion`): a leading `v`,
/// one to three numeric parts (missing parts are 0), a pre-release and build
/// metadata.
pub fn parse_version(text: &str) -> Option<Version> {
    let text = text.strip_prefix('v').unwrap_or(text);
    let (core, build) = match text.split_once('+') {
        Some((c, b)) => (c, Some(b)),
        None => (text, None),
    };
    let (nums, pre) = match core.split_once('-') {
        Some((n, p)) => (n, p),
        None => (core, ""),
    };
    let parts: Vec<&str> = nums.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let mut n = [0u64; 3];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n[i] = p.parse().ok()?;
    }
    let mut v = Version::new(n[0], n[1], n[2]);
    if !pre.is_empty() {
        v.pre = Prerelease::new(pre).ok()?;
    } else if core.ends_with('-') {
        return None;
    }
    if let Some(b) = build {
        v.build = semver::BuildMetadata::new(b).ok()?;
    }
    Some(v)
}

/// Precedence without build metadata (SemVer §11; the `semver` crate also
/// orders by build metadata, which SemVer ignores).
fn cmp(a: &Version, b: &Version) -> std::cmp::Ordering {
    (a.major, a.minor, a.patch, &a.pre).cmp(&(b.major, b.minor, b.patch, &b.pre))
}

impl Constraint {
    /// Parses a constraint; the error names the part that is not one.
    pub fn parse(text: &str) -> Result<Constraint, String> {
        let mut groups = Vec::new();
        for group in text.split("||") {
            groups.push(parse_group(group).map_err(|bad| {
                if bad.is_empty() {
                    format!("{text:?} is not a version constraint")
                } else {
                    format!("{text:?} is not a version constraint: cannot read {bad:?}")
                }
            })?);
        }
        Ok(Constraint { groups })
    }

    /// Whether `v` satisfies the constraint.
    pub fn matches(&self, v: &Version) -> bool {
        self.groups.iter().any(|group| {
            let pre_ok = group.iter().any(|c| !c.version.pre.is_empty());
            group.iter().all(|c| c.check(v, pre_ok))
        })
    }
}

/// Whether `version` satisfies `constraint` (Helm's `IsCompatibleRange`):
/// false when either does not parse.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    match (Constraint::parse(constraint), parse_version(version)) {
        (Ok(c), Some(v)) => c.matches(&v),
        _ => false,
    }
}

/// One `||` group: comparators separated by spaces and commas, or a hyphen
/// range. The error is the text that could not be read.
fn parse_group(group: &str) -> Result<Vec<Comparator>, String> {
    let mut tokens: Vec<(String, String)> = Vec::new();
    let mut rest = group.trim_start();
    while !rest.is_empty() {
        let op_len = ["!=", ">=", "=>", "<=", "=<", "~>", ">", "<", "=", "~", "^"]
            .iter()
            .find(|op| rest.starts_with(**op))
            .map_or(0, |op| op.len());
        let op = &rest[..op_len];
        rest = rest[op_len..].trim_start();
        let end = rest
            .find(|c: char| c.is_whitespace() || c == ',')
            .unwrap_or(rest.len());
        if end == 0 {
            return Err(rest.chars().take(20).collect());
        }
        tokens.push((op.to_owned(), rest[..end].to_owned()));
        rest = rest[end..].trim_start();
        // A hyphen range: `A - B` (only between bare versions).
        if let Some(after) = rest.strip_prefix('-') {
            if op.is_empty() && after.starts_with(char::is_whitespace) {
                let after = after.trim_start();
                let end = after
                    .find(|c: char| c.is_whitespace() || c == ',')
                    .unwrap_or(after.len());
                if end == 0 {
                    return Err(rest.to_owned());
                }
                let low = tokens.pop().expect("just pushed").1;
                tokens.push((">=".into(), low));
                tokens.push(("<=".into(), after[..end].to_owned()));
                rest = after[end..].trim_start();
            }
        }
        if let Some(after) = rest.strip_prefix(',') {
            rest = after.trim_start();
            if rest.is_empty() {
                return Err(",".into());
            }
        }
    }
    if tokens.is_empty() {
        return Err(String::new());
    }
    tokens
        .iter()
        .map(|(op, v)| parse_comparator(op, v).ok_or_else(|| format!("{op}{v}")))
        .collect()
}

fn parse_comparator(op: &str, text: &str) -> Option<Comparator> {
    let op = match op {
        "" => Op::TildeOrEqual,
        "=" => Op::Equal,
        "!=" => Op::NotEqual,
        ">" => Op::Greater,
        ">=" | "=>" => Op::GreaterEqual,
        "<" => Op::Less,
        "<=" | "=<" => Op::LessEqual,
        "~" | "~>" => Op::Tilde,
        "^" => Op::Caret,
        _ => return None,
    };
    let body = text.strip_prefix('v').unwrap_or(text);
    let (core, suffix) = match body.find(['-', '+']) {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let mut nums = [0u64; 3];
    if is_wild(parts[0]) {
        dirty = true;
    } else if parts.len() < 2 || is_wild(parts[1]) {
        minor_dirty = true;
        dirty = true;
    } else if parts.len() < 3 || is_wild(parts[2]) {
        patch_dirty = true;
        dirty = true;
    }
    for (i, p) in parts.iter().enumerate() {
        if is_wild(p) {
            break;
        }
        if !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nums[i] = p.parse().ok()?;
    }
    let version = parse_version(&format!("{}.{}.{}{suffix}", nums[0], nums[1], nums[2]))?;
    Some(Comparator {
        op,
        version,
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

impl Comparator {
    fn check(&self, v: &Version, pre_ok: bool) -> bool {
        use std::cmp::Ordering::*;
        let c = &self.version;
        let pre_blocked = !pre_ok && !v.pre.is_empty();
        match self.op {
            Op::TildeOrEqual if self.dirty => self.tilde(v, pre_blocked),
            Op::TildeOrEqual | Op::Equal => {
                if self.dirty {
                    !pre_blocked && c.major == v.major && (self.minor_dirty || c.minor == v.minor)
                } else {
                    cmp(v, c) == Equal
                }
            }
            Op::NotEqual => {
                if pre_blocked {
                    false
                } else if self.dirty {
                    c.major != v.major || (!self.minor_dirty && c.minor != v.minor)
                } else {
                    cmp(v, c) != Equal
                }
            }
            Op::Greater => {
                if pre_blocked {
                    false
                } else if !self.dirty {
                    cmp(v, c) == Greater
                } else if v.major != c.major {
                    v.major > c.major
                } else if self.minor_dirty {
                    false
                } else {
                    self.patch_dirty && v.minor > c.minor
                }
            }
            Op::GreaterEqual => !pre_blocked && cmp(v, c) != Less,
            Op::Less => !pre_blocked && cmp(v, c) == Less,
            Op::LessEqual => {
                if pre_blocked {
                    false
                } else if !self.dirty {
                    cmp(v, c) != Greater
                } else {
                    v.major < c.major
                        || (v.major == c.major && (self.minor_dirty || v.minor <= c.minor))
                }
            }
            Op::Tilde => self.tilde(v, pre_blocked),
            Op::Caret => {
                if pre_blocked || cmp(v, c) == Less {
                    false
                } else if c.major > 0 || self.minor_dirty {
                    v.major == c.major
                } else if v.major > 0 {
                    false
                } else if c.minor > 0 || self.patch_dirty {
                    v.minor == c.minor
                } else {
                    v.minor == 0 && v.patch == c.patch
                }
            }
        }
    }

    fn tilde(&self, v: &Version, pre_blocked: bool) -> bool {
        let c = &self.version;
        if pre_blocked || cmp(v, c) == std::cmp::Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        v.major == c.major && (self.minor_dirty || v.minor == c.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(constraint: &str, version: &str) -> bool {
        Constraint::parse(constraint)
            .unwrap_or_else(|e| panic!("{e}"))
            .matches(&parse_version(version).unwrap())
    }

    #[test]
    fn exact_and_v_prefix() {
        assert!(ok("0.37.0", "0.37.0"));
        assert!(ok("=0.37.0", "0.37.0"));
        assert!(ok("v0.37.0", "0.37.0"));
        assert!(!ok("0.37.0", "0.37.1"));
        assert!(ok("0.38.0-rc2", "0.38.0-rc2"));
        assert!(!ok("0.38.0", "0.38.0-rc2"));
    }

    #[test]
    fn caret() {
        assert!(ok("^0.36", "0.36.0"));
        assert!(!ok("^0.36", "0.37.0"));
        assert!(ok("^0.36.0", "0.36.5"));
        assert!(ok("^1.2", "1.9.0"));
        assert!(!ok("^1.2", "2.0.0"));
        assert!(!ok("^1.2", "1.1.0"));
        assert!(ok("^0.0.3", "0.0.3"));
        assert!(!ok("^0.0.3", "0.0.4"));
        assert!(ok("^0", "0.37.0"));
        assert!(!ok("^0", "1.0.0"));
    }

    #[test]
    fn tilde() {
        assert!(ok("~0.37.0", "0.37.0"));
        assert!(ok("~0.37.0", "0.37.9"));
        assert!(!ok("~0.37.0", "0.38.0"));
        assert!(ok("~0.37", "0.37.2"));
        assert!(ok("~0", "0.99.0"));
        assert!(ok("~>0.28.0", "0.28.1"));
        assert!(!ok("~0.28.1", "0.28.0"));
    }

    #[test]
    fn ranges_with_spaces_and_commas() {
        for c in [
            ">=0.30.0 <0.33.0",
            ">=0.30, <0.33",
            ">= 0.30.0 , < 0.33.0",
            "=>0.30 =<0.32.0",
        ] {
            assert!(ok(c, "0.30.0"), "{c}");
            assert!(ok(c, "0.32.0"), "{c}");
            assert!(!ok(c, "0.33.0"), "{c}");
            assert!(!ok(c, "0.29.0"), "{c}");
        }
        // A wildcard part: ">0.30" is ">0.30.x", i.e. ">=0.31.0".
        assert!(ok(">0.30", "0.31.0"));
        assert!(!ok(">0.30", "0.30.1"));
        assert!(ok(">0.30.0", "0.30.1"));
        assert!(ok("!=0.30.0", "0.31.0"));
        assert!(!ok("!=0.30.0", "0.30.0"));
    }

    #[test]
    fn or_groups() {
        let c = "0.27.0 || >=0.36.0";
        assert!(ok(c, "0.27.0"));
        assert!(ok(c, "0.37.0"));
        assert!(!ok(c, "0.30.0"));
        assert!(ok("<0.28||^0.37", "0.37.0"));
    }

    #[test]
    fn wildcards() {
        assert!(ok("0.37.x", "0.37.0"));
        assert!(ok("0.x", "0.30.0"));
        assert!(ok("*", "0.30.0"));
        assert!(ok("x", "0.30.0"));
        assert!(!ok("*", "0.38.0-rc2"));
        assert!(ok("0.3", "0.3.9"));
        assert!(!ok("0.3", "0.30.0"));
        assert!(ok("=0.37.*", "0.37.0"));
        assert!(ok(">0.36.x", "0.37.0"));
        assert!(!ok(">0.37.x", "0.37.5"));
        assert!(ok("<=0.36.x", "0.36.9"));
        assert!(!ok("<=0.36.x", "0.37.0"));
        assert!(ok("1.x", "1.2.3"));
    }

    #[test]
    fn hyphen_ranges() {
        assert!(ok("0.30.0 - 0.32.0", "0.32.0"));
        assert!(ok("0.30 - 0.32", "0.31.0"));
        assert!(!ok("0.30.0 - 0.32.0", "0.33.0"));
        assert!(!ok("0.30.0 - 0.32.0", "0.29.0"));
    }

    #[test]
    fn prereleases_need_a_prerelease_comparator() {
        assert!(!ok(">=0.37.0", "0.38.0-rc2"));
        assert!(ok(">=0.37.0-0", "0.38.0-rc2"));
        assert!(ok(">0.0.0-0", "0.38.0-rc2"));
        // Within the group that names a pre-release only.
        assert!(ok(">=0.38.0-0 <0.39.0", "0.38.0-rc2"));
        assert!(!ok(">=0.38.0-0 || >=0.37.0", "0.39.0-rc1") || ok(">=0.38.0-0", "0.39.0-rc1"));
        assert!(!ok("^0.38.0", "0.38.0-rc2"));
        assert!(ok("^0.38.0-0", "0.38.0-rc2"));
        assert!(ok("~0.38.0-rc1", "0.38.0-rc2"));
    }

    #[test]
    fn bad_constraints_are_errors() {
        for bad in [
            "", "latest", ">=", "0.3.0.1", "1.2.3 -", ">=a.b", "0.30,", "||",
        ] {
            assert!(Constraint::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn compatible_range_needs_both_to_parse() {
        assert!(is_compatible_range("1.x.x", "1.16.0"));
        assert!(is_compatible_range("16.13.2", "16.13.2"));
        assert!(!is_compatible_range("", "1.0.0"));
        assert!(!is_compatible_range("1.x", "one"));
    }
}
