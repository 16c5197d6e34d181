// The migrations are embedded by `sqlx::migrate!`, which cannot tell cargo
// about files added later: rebuild whenever the folder changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
