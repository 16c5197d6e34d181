//! Signing in and staying signed in: Argon2id passwords, server-side sessions
//! behind an HttpOnly cookie, CSRF checks and the login rate limit.

pub mod csrf;
pub mod limiter;
pub mod password;
pub mod session;

pub use session::{CurrentUser, PageUser};
