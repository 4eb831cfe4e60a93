//! The `vault kv put` script of `difyx migrate --vault-script-out`.
//!
//! One command per remote key, its properties as a JSON object on stdin
//! (`vault kv put <mount>/<path> -`), in a here-document whose delimiter is
//! quoted so the shell expands nothing. Values never appear as arguments, so
//! `vault`'s own argument syntax (`k=@file` reads a file, `k=-` reads stdin)
//! cannot misread them, and they do not show in `ps`. The JSON is one line:
//! every newline and control character is escaped, so no value can end the
//! here-document early. The path is single-quoted (`'` written `'\''`).

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use crate::resolve::store::go_json;

/// The here-document delimiter.
const EOF: &str = "DIFYX_SECRET_JSON";

/// `s` as one POSIX shell word: single quotes, `'` written `'\''`. A NUL
/// byte cannot be passed in an argument at all: refused.
pub fn sh_quote(s: &str) -> Result<String> {
    if s.contains('\0') {
        bail!("a NUL byte cannot be written in a shell argument");
    }
    Ok(format!("'{}'", s.replace('\'', "'\\''")))
}

/// The script for `store` (remote key → property → value) and `mount`.
pub fn script(store: &BTreeMap<String, BTreeMap<String, String>>, mount: &str) -> Result<String> {
    let mount = mount.trim_matches('/');
    if mount.is_empty() {
        bail!("--vault-mount must not be empty");
    }
    let mut out = String::from(
        "#!/bin/sh\n\
         # Written by difyx migrate: puts the legacy secrets into Vault.\n\
         # Needs VAULT_ADDR and a token (VAULT_TOKEN or `vault login`). Delete it after use.\n\
         set -eu\n",
    );
    for (path, props) in store {
        for (k, v) in props {
            if k.contains('\0') || v.contains('\0') {
                bail!(
                    "remote key {path}, property {}: the value holds a NUL byte, which Vault's CLI \
                     cannot be given: store it by hand",
                    k.replace('\0', "\\0")
                );
            }
        }
        let json = go_json(props);
        debug_assert!(!json.contains('\n'));
        out.push_str(&format!(
            "vault kv put {} - <<'{EOF}'\n{json}\n{EOF}\n",
            sh_quote(&format!("{mount}/{path}"))?
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes() {
        assert_eq!(sh_quote("a'b").unwrap(), r"'a'\''b'");
        assert_eq!(sh_quote("$x `y`").unwrap(), "'$x `y`'");
        assert!(sh_quote("a\0b").is_err());
    }

    #[test]
    fn one_put_per_path() {
        let mut s = BTreeMap::new();
        s.insert(
            "dify/api".to_owned(),
            BTreeMap::from([("secret_key".to_owned(), "a\nb'$`".to_owned())]),
        );
        let text = script(&s, "secret").unwrap();
        assert!(text.contains(
            "vault kv put 'secret/dify/api' - <<'DIFYX_SECRET_JSON'\n{\"secret_key\":\"a\\nb'$`\"}\nDIFYX_SECRET_JSON\n"
        ));
        s.get_mut("dify/api")
            .unwrap()
            .insert("x".into(), "\0".into());
        assert!(script(&s, "secret").is_err());
    }
}
