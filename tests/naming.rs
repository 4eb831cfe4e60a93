//! SPEC §3.2: fullname and the name label, every example of the table.

mod common;

use common::*;
use difyx::values::Value;

/// One row of the SPEC §3.2 table: release, nameOverride, fullnameOverride,
/// the fullname and the name label they give.
type Row<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    String,
    String,
);

/// (release, nameOverride, fullnameOverride) -> (api Secret name, name label).
fn names(
    release: Option<&str>,
    name_override: Option<&str>,
    fullname_override: Option<&str>,
) -> (String, String) {
    let mut values = String::from("externalSecret: {enabled: true}\n");
    if let Some(n) = name_override {
        values.push_str(&format!(
            "nameOverride: {}\n",
            serde_json::to_string(n).unwrap()
        ));
    }
    if let Some(f) = fullname_override {
        values.push_str(&format!(
            "fullnameOverride: {}\n",
            serde_json::to_string(f).unwrap()
        ));
    }
    let mut args = vec!["template", "--version", "0.27.0"];
    args.extend(release);
    args.extend(["-f", "-", "-s", "templates/api-externalsecret.yaml"]);
    let out = difyx(&args, Some(&values));
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = parse_stream(&stdout(&out));
    let tree = &docs[0].tree;
    let get = |p: &[&str]| {
        tree.lookup(p.iter().copied())
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    };
    let name = get(&["metadata", "name"]);
    assert_eq!(name, get(&["spec", "target", "name"]));
    (
        name.strip_suffix("-api").unwrap().to_owned(),
        get(&["metadata", "labels", "app.kubernetes.io/name"]),
    )
}

#[test]
fn fullname_table() {
    let long_override = format!("{}-qq", "xyz".repeat(20)); // 63 characters
    let full65 = format!("{}-yz", "a".repeat(62)); // the 63rd character is a dash
    assert_eq!(full65.len(), 65);
    let cases: Vec<Row> = vec![
        (None, None, None, "release-name-dify".into(), "dify".into()),
        (Some("dify"), None, None, "dify".into(), "dify".into()),
        (
            Some("my-dify-prod"),
            None,
            None,
            "my-dify-prod".into(),
            "dify".into(),
        ),
        (Some("rel"), None, None, "rel-dify".into(), "dify".into()),
        (
            Some("foo-bar"),
            Some("foo"),
            None,
            "foo-bar".into(),
            "foo".into(),
        ),
        (
            Some("rel"),
            Some("foo-"),
            None,
            "rel-foo".into(),
            "foo".into(),
        ),
        (
            Some("rel"),
            Some(&long_override),
            None,
            format!("rel-{}", &long_override[..59]),
            long_override.clone(),
        ),
        (
            Some("rel"),
            None,
            Some(&full65),
            full65[..62].to_owned(),
            "dify".into(),
        ),
        (
            Some("rel"),
            None,
            Some("abc--"),
            "abc-".into(),
            "dify".into(),
        ),
        (
            Some("dify"),
            Some("difyapp"),
            Some(&full65),
            full65[..62].to_owned(),
            "difyapp".into(),
        ),
        // An empty or falsy override counts as unset.
        (
            Some("rel"),
            Some(""),
            Some(""),
            "rel-dify".into(),
            "dify".into(),
        ),
    ];
    for (release, name_o, full_o, want_full, want_label) in cases {
        assert_eq!(
            names(release, name_o, full_o),
            (want_full.clone(), want_label.clone()),
            "release {release:?}, nameOverride {name_o:?}, fullnameOverride {full_o:?}"
        );
    }
}

#[test]
fn trailing_dash_only_one_removed() {
    // `rel-foo--` is cut to `rel-foo-`: a valid object name, but the label
    // `foo-` is not a valid label value, so with an ExternalSecret it fails.
    let out = difyx(
        &["template", "--version", "0.27.0", "rel", "-f", "-"],
        Some("nameOverride: foo--\n"),
    );
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("name: rel-foo--api"),
        "{}",
        stdout(&out)
    );
    let out = difyx(
        &["template", "--version", "0.27.0", "rel", "-f", "-"],
        Some("nameOverride: foo--\nexternalSecret: {enabled: true}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nameOverride"));
}

#[test]
fn existing_secret_names_the_database_external_secrets() {
    let values = "externalSecret: {enabled: true}\npostgresql: {global: {postgresql: {auth: {existingSecret: pg-creds}}}}\n\
                  redis: {auth: {password: '', existingSecret: redis-creds}}\n";
    let out = difyx(
        &["template", "--version", "0.27.0", "dify", "-f", "-"],
        Some(values),
    );
    let docs = parse_stream(&stdout(&out));
    let ids: Vec<String> = docs.iter().map(|d| doc_id(&d.tree)).collect();
    assert!(
        ids.contains(&"ExternalSecret/pg-creds".to_owned()),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"ExternalSecret/redis-creds".to_owned()),
        "{ids:?}"
    );
}
