//! The release: its name and namespace, checked as Helm checks them.

use crate::engine::scalar::is_dns1123_label;

/// Helm's release-name pattern, quoted in its error message.
const NAME_PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// The name Helm uses when none is given.
pub const DEFAULT_NAME: &str = "release-name";

/// Checks a release name with Helm's rules and Helm's messages (SPEC §1.2).
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(r#"release name check failed: release name "": no name provided"#.into());
    }
    let labels_ok = name.split('.').all(|label| {
        let b = label.as_bytes();
        !b.is_empty()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    });
    if !labels_ok || name.len() > 53 {
        return Err(format!(
            "release name check failed: release name {name:?}: invalid release name, \
             must match regex {NAME_PATTERN} and the length must not be longer than 53"
        ));
    }
    Ok(())
}

/// The namespace: the flag if given (an empty flag means `default`), else
/// `HELM_NAMESPACE`, else `default`; it must be a DNS-1123 label (SPEC §1.3, D4).
pub fn resolve_namespace(flag: Option<&str>, env: Option<&str>) -> Result<String, String> {
    let ns = match (flag, env) {
        (Some(f), _) if !f.is_empty() => f,
        (Some(_), _) => "default",
        (None, Some(e)) if !e.is_empty() => e,
        (None, _) => "default",
    };
    validate_namespace(ns)?;
    Ok(ns.to_owned())
}

/// A namespace must be a DNS-1123 label (SPEC §7.0 D4).
pub fn validate_namespace(ns: &str) -> Result<(), String> {
    if !is_dns1123_label(ns) {
        return Err(format!(
            "namespace {ns:?} is not a valid Kubernetes namespace: it must be at most 63 \
             lower-case letters, digits and '-', starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names_follow_helm() {
        for ok in [
            "dify",
            "my-dify",
            "a.b",
            "true",
            "1e3",
            "007",
            "null",
            &"a".repeat(53),
        ] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
        for bad in ["My-Rel", "rel_x", "-a", "a-", "a..b", &"a".repeat(54)] {
            let err = validate_name(bad).unwrap_err();
            assert!(
                err.starts_with("release name check failed: release name \""),
                "{err}"
            );
            assert!(
                err.ends_with("the length must not be longer than 53"),
                "{err}"
            );
        }
        assert_eq!(
            validate_name("").unwrap_err(),
            r#"release name check failed: release name "": no name provided"#
        );
    }

    #[test]
    fn namespace_precedence() {
        assert_eq!(
            resolve_namespace(Some("dify"), Some("env")).unwrap(),
            "dify"
        );
        assert_eq!(resolve_namespace(Some(""), Some("env")).unwrap(), "default");
        assert_eq!(resolve_namespace(None, Some("env")).unwrap(), "env");
        assert_eq!(resolve_namespace(None, Some("")).unwrap(), "default");
        assert_eq!(resolve_namespace(None, None).unwrap(), "default");
        assert_eq!(resolve_namespace(Some("007"), None).unwrap(), "007");
        assert!(resolve_namespace(Some("a b: c"), None).is_err());
        assert!(resolve_namespace(Some("Dify"), None).is_err());
    }
}
