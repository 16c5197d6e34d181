//! Running the real `muster` binary against a data directory.

use std::path::Path;
use std::process::{Command, Output};

pub fn muster(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("MUSTER_DATABASE_URL")
        .output()
        .expect("run muster")
}

/// Everything the command printed, for assertions and failure messages.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
