//! `--version` constraints against real Helm 4.3.1: the thirteen reference
//! charts of `../shared/upstream/` are packed into a repository served on
//! localhost, and `helm show chart dify --repo … --version C [--devel]`
//! must pick the release `difyx show chart --version C [--devel]` picks, or
//! both must find none.

mod common;

use std::process::{Command, Stdio};

use common::{difyx, helm_if_present, shared_dir, stdout};
use difyx::chart::versions::VERSIONS;

const CONSTRAINTS: &[&str] = &[
    "0.37.0",
    "v0.30.0",
    "=0.36.0",
    "0.38.0-rc2",
    "0.38.0",
    "^0.36",
    "^0.28.0",
    "^0.38.0",
    "^0.38.0-0",
    "~0.37.0",
    "~0.3",
    "~0.38.0-rc1",
    ">=0.30.0 <0.33.0",
    ">=0.30, <0.33",
    "0.27.0 || 0.29.x",
    "<0.29 || >0.37.0-0",
    "0.28.x",
    "0.x",
    "*",
    "0.3",
    "0.30.0 - 0.34.0",
    ">=0.37.0-0",
    ">=0.37",
    "!=0.37.0",
    ">0.36.x",
    "<=0.36.x",
    ">0.30",
    "<0.28",
    "1.x",
];

/// The `version:` line of a Chart.yaml print, or None.
fn picked(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("version: "))
        .map(str::to_owned)
}

#[test]
fn version_constraints_pick_what_helm_picks() {
    let Some(helm) = helm_if_present("version_constraints_pick_what_helm_picks") else {
        return;
    };
    let Some(python) = common::on_path("python3") else {
        eprintln!("*** SKIPPED: no python3 to serve the test repository ***");
        return;
    };
    let repo = tempfile::tempdir().unwrap();
    for v in VERSIONS {
        let ok = Command::new(&helm)
            .args(["package"])
            .arg(shared_dir().join("upstream").join(v.version))
            .arg("-d")
            .arg(repo.path())
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "helm package {}", v.version);
    }
    assert!(Command::new(&helm)
        .args(["repo", "index"])
        .arg(repo.path())
        .status()
        .unwrap()
        .success());
    // A free port: bind, read it, release it for the server.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(python)
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .current_dir(repo.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed().as_secs() < 20,
            "the test repository did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let mut failures = Vec::new();
    let mut cases: Vec<(&str, bool)> = CONSTRAINTS.iter().map(|c| (*c, false)).collect();
    cases.extend(["", ">=0.37.0", "0.37.x", "^0.38.0-0"].map(|c| (c, true)));
    for (constraint, devel) in cases {
        let mut cmd = Command::new(&helm);
        cmd.args([
            "show",
            "chart",
            "dify",
            "--repo",
            &url,
            "--version",
            constraint,
        ]);
        let mut args = vec!["show", "chart", "--version", constraint];
        if devel {
            cmd.arg("--devel");
            args.push("--devel");
        }
        let h = cmd.output().unwrap();
        let d = difyx(&args, None);
        let (hv, dv) = (
            picked(&String::from_utf8_lossy(&h.stdout)),
            picked(&stdout(&d)),
        );
        if hv != dv || h.status.success() != d.status.success() {
            failures.push(format!(
                "{constraint:?} devel={devel}: helm {hv:?}, difyx {dv:?}"
            ));
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
