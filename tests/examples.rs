//! Every file in examples/ renders, without warnings, and the usage-guide
//! scenarios give exactly the documents of their golden case.

mod common;

use common::*;

fn examples() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(repo_dir().join("examples"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "the four scenarios and the migration step"
    );
    files
}

#[test]
fn every_example_renders_cleanly() {
    for file in examples() {
        let out = difyx(
            &[
                "template",
                "dify",
                "-n",
                "dify",
                "-f",
                file.to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "{}: {}", file.display(), stderr(&out));
        assert_eq!(stderr(&out), "", "{}: no warnings expected", file.display());
        assert!(!parse_stream(&stdout(&out)).is_empty());
    }
}

#[test]
fn scenarios_match_their_golden_cases() {
    for file in examples() {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let golden = shared_dir()
            .join("conformance")
            .join(&stem)
            .join("expected.yaml");
        let Ok(expected) = std::fs::read_to_string(&golden) else {
            continue;
        };
        let out = difyx(
            &[
                "template",
                "dify",
                "-n",
                "dify",
                "-f",
                file.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(
            parse_stream(&stdout(&out)),
            parse_stream(&expected),
            "{stem}"
        );
    }
}
