//! The burn and backups through the `muster` binary: a burn needs the
//! operation typed again; a backup restores whole, opens only with the
//! master key, and keeps personal data sealed.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{muster, text};

fn demo(dir: &std::path::Path) {
    let out = muster(
        dir,
        &["demo", "--no-serve", "--password", "demo password 1"],
    );
    assert!(out.status.success(), "{}", text(&out));
}

/// `muster burn` with `typed` on its standard input.
fn burn_typing(dir: &std::path::Path, typed: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(["burn", "--operation", "kabul-2021", "--data-dir"])
        .arg(dir)
        .env_remove("MUSTER_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{typed}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_backup_restores_whole_and_only_with_its_master_key() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let file = dir.path().join("backup.db");
    let out = muster(dir.path(), &["backup", "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    // Names of the demo households are sealed in the copy too.
    let bytes = std::fs::read(&file).unwrap();
    for name in ["Ahmadzai", "Mohammad", "Hussaini"] {
        assert!(
            !bytes.windows(name.len()).any(|w| w == name.as_bytes()),
            "{name} in the backup"
        );
    }
    let again = muster(dir.path(), &["backup", "--out", file.to_str().unwrap()]);
    assert!(
        !again.status.success(),
        "an existing file is not overwritten"
    );

    // Restored elsewhere with the same master key: whole, chain intact.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::copy(
        dir.path().join("master.key"),
        elsewhere.path().join("master.key"),
    )
    .unwrap();
    let restored = muster(elsewhere.path(), &["restore", file.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", text(&restored));
    assert!(
        text(&restored).contains("audit chain intact"),
        "{}",
        text(&restored)
    );
    let original = muster(dir.path(), &["verify-audit"]);
    let copy = muster(elsewhere.path(), &["verify-audit"]);
    assert_eq!(
        String::from_utf8_lossy(&original.stdout),
        String::from_utf8_lossy(&copy.stdout),
        "the same chain"
    );
    // A second restore over it needs --force.
    let twice = muster(elsewhere.path(), &["restore", file.to_str().unwrap()]);
    assert!(!twice.status.success());
    assert!(text(&twice).contains("--force"), "{}", text(&twice));

    // Without the master key the copy does not open.
    let stranger = tempfile::tempdir().unwrap();
    let refused = muster(stranger.path(), &["restore", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("master key"), "{}", text(&refused));
}

#[test]
fn a_burn_needs_the_operation_typed_and_leaves_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let wrong = burn_typing(dir.path(), "kabul");
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    assert!(text(&wrong).contains("nothing was burned"));
    let burned = burn_typing(dir.path(), "kabul-2021");
    assert!(burned.status.success(), "{}", text(&burned));
    let chain = muster(dir.path(), &["verify-audit"]);
    assert!(chain.status.success(), "{}", text(&chain));
    // A script passes --yes; burning again changes nothing.
    let scripted = muster(dir.path(), &["burn", "--operation", "kabul-2021", "--yes"]);
    assert!(scripted.status.success(), "{}", text(&scripted));
    // The imported list of a burnt operation is refused: nothing can be written.
    let list = dir.path().join("list.csv");
    std::fs::write(&list, "given_name,family_name\nNabi,Burnt\n").unwrap();
    let import = muster(
        dir.path(),
        &[
            "import",
            "--operation",
            "kabul-2021",
            "--source",
            "late",
            list.to_str().unwrap(),
        ],
    );
    assert!(!import.status.success());
    assert!(text(&import).contains("burned"), "{}", text(&import));
}

/// The same on PostgreSQL: `pg_dump` holds no personal data in clear, and
/// `pg_restore` into another database gives the same chain.
#[test]
fn a_postgres_dump_is_sealed_and_restores_whole() {
    let admin = std::env::var("MUSTER_TEST_POSTGRES_URL")
        .expect("MUSTER_TEST_POSTGRES_URL: run the suite with scripts/test");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fresh = || {
        let name = format!("muster_cli_{}", uuid::Uuid::new_v4().simple());
        rt.block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::Executor::execute(&mut c, format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
        });
        format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
    };
    let (from, to) = (fresh(), fresh());
    let dir = tempfile::tempdir().unwrap();
    let run = |url: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_muster"))
            .args(args)
            .args(["--database", url, "--data-dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(
        &from,
        &["demo", "--no-serve", "--password", "demo password 1"],
    );
    let dump = dir.path().join("kabul.dump");
    run(&from, &["backup", "--out", dump.to_str().unwrap()]);
    let bytes = std::fs::read(&dump).unwrap();
    assert!(bytes.len() > 10_000);
    for name in ["Ahmadzai", "Mohammad", "Hussaini"] {
        assert!(
            !bytes.windows(name.len()).any(|w| w == name.as_bytes()),
            "{name} in the dump"
        );
    }
    let restored = run(&to, &["restore", dump.to_str().unwrap()]);
    assert!(restored.contains("audit chain intact"), "{restored}");
    assert_eq!(run(&from, &["verify-audit"]), run(&to, &["verify-audit"]));
}
