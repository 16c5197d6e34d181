//! Rate limits, kept in memory: a restart forgives, which is acceptable for
//! limits meant to slow guessing and flooding, not to lock people out.
//!
//! - [`GuessLimiter`]: after a few failed guesses of a secret (a password, an
//!   access code), the name guessed at (a username, a case reference) or the
//!   client address must wait.
//! - [`RequestLimiter`]: a client address may send so many requests of a kind
//!   (self-registrations) per window.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed per username (or case reference) within the window.
pub const PER_USERNAME: u32 = 5;
/// Failures allowed per client address within the window (offices share addresses).
pub const PER_ADDRESS: u32 = 30;

/// Counts per key within a window that starts at the key's first count.
struct Windows {
    window: Duration,
    counts: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Windows {
    fn new(window: Duration) -> Self {
        Self {
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when the key has reached `limit` in its window.
    fn check(&self, key: &str, limit: u32) -> Result<(), u64> {
        let now = Instant::now();
        let map = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((n, since)) = map.get(key) {
            let age = now.duration_since(*since);
            if *n >= limit && age < self.window {
                return Err((self.window - age).as_secs().max(1));
            }
        }
        Ok(())
    }

    fn add(&self, key: String) {
        let now = Instant::now();
        let mut map = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        }
        let entry = map.entry(key).or_insert((0, now));
        if now.duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    fn remove(&self, key: &str) {
        let mut map = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(key);
    }
}

pub struct GuessLimiter {
    failures: Windows,
}

impl Default for GuessLimiter {
    fn default() -> Self {
        Self {
            failures: Windows::new(WINDOW),
        }
    }
}

impl GuessLimiter {
    fn keys(name: &str, address: Option<IpAddr>) -> Vec<(String, u32)> {
        let mut keys = vec![(format!("name:{}", name.to_lowercase()), PER_USERNAME)];
        if let Some(a) = address {
            keys.push((format!("addr:{a}"), PER_ADDRESS));
        }
        keys
    }

    /// `Err(seconds to wait)` when any key has used up its failures.
    pub fn check(&self, name: &str, address: Option<IpAddr>) -> Result<(), u64> {
        Self::keys(name, address)
            .into_iter()
            .try_for_each(|(key, limit)| self.failures.check(&key, limit))
    }

    pub fn failed(&self, name: &str, address: Option<IpAddr>) {
        for (key, _) in Self::keys(name, address) {
            self.failures.add(key);
        }
    }

    pub fn succeeded(&self, name: &str) {
        self.failures
            .remove(&format!("name:{}", name.to_lowercase()));
    }
}

/// Requests allowed per client address and window; `0` means no limit.
pub struct RequestLimiter {
    limit: u32,
    requests: Windows,
}

impl RequestLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            requests: Windows::new(window),
        }
    }

    /// Counts a request; `Err(seconds to wait)` when the address is over.
    pub fn hit(&self, address: Option<IpAddr>) -> Result<(), u64> {
        let Some(a) = address.filter(|_| self.limit > 0) else {
            return Ok(());
        };
        let key = a.to_string();
        self.requests.check(&key, self.limit)?;
        self.requests.add(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_is_held_after_five_failures() {
        let l = GuessLimiter::default();
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

    #[test]
    fn an_address_may_send_so_many_requests() {
        let l = RequestLimiter::new(3, Duration::from_secs(60));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(l.hit(Some(a)).is_ok());
        }
        assert!(l.hit(Some(a)).unwrap_err() <= 60);
        assert!(l.hit(Some(b)).is_ok(), "other addresses are not held");
        let unlimited = RequestLimiter::new(0, Duration::from_secs(60));
        for _ in 0..100 {
            assert!(unlimited.hit(Some(a)).is_ok());
        }
    }
}
