//! The login rate limit: after a few failures, a username or a client address
//! must wait. Kept in memory: a restart forgives, which is acceptable for a
//! limit meant to slow guessing, not to lock people out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed per username within the window.
pub const PER_USERNAME: u32 = 5;
/// Failures allowed per client address within the window (offices share addresses).
pub const PER_ADDRESS: u32 = 30;

#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    fn keys(username: &str, address: Option<std::net::IpAddr>) -> Vec<(String, u32)> {
        let mut keys = vec![(format!("user:{}", username.to_lowercase()), PER_USERNAME)];
        if let Some(a) = address {
            keys.push((format!("addr:{a}"), PER_ADDRESS));
        }
        keys
    }

    /// `Err(seconds to wait)` when any key has used up its failures.
    pub fn check(&self, username: &str, address: Option<std::net::IpAddr>) -> Result<(), u64> {
        let now = Instant::now();
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for (key, limit) in Self::keys(username, address) {
            if let Some((n, since)) = map.get(&key) {
                let age = now.duration_since(*since);
                if *n >= limit && age < WINDOW {
                    return Err((WINDOW - age).as_secs().max(1));
                }
            }
        }
        Ok(())
    }

    pub fn failed(&self, username: &str, address: Option<std::net::IpAddr>) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| now.duration_since(*since) < WINDOW);
        }
        for (key, _) in Self::keys(username, address) {
            let entry = map.entry(key).or_insert((0, now));
            if now.duration_since(entry.1) >= WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    pub fn succeeded(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("user:{}", username.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_is_held_after_five_failures() {
        let l = LoginLimiter::default();
        for _ in 0..PER_USERNAME {
            assert!(l.check("hq", None).is_ok());
            l.failed("hq", None);
        }
        let wait = l.check("HQ", None).unwrap_err();
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        assert!(l.check("officer", None).is_ok(), "other users are not held");
        l.succeeded("hq");
        assert!(l.check("hq", None).is_ok());
    }
}
