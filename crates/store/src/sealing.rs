//! Encryption at rest, in one place. Every personal field is sealed with
//! XChaCha20-Poly1305 under its operation's data key; the data key is kept
//! wrapped by the deployment's master key (a key file, the environment, or a
//! passphrase through Argon2id). Words that must be searched (name tokens)
//! are kept as keyed blind indexes (HMAC-SHA256 under a key derived from
//! the data key). Burning an operation destroys its wrapped data key: its
//! sealed fields and blind indexes can then be read by no one.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use domain::OperationId;

/// Sealed values start with this version byte, then the 24-byte nonce.
const VERSION: u8 = 1;
const NONCE: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the master key must be 64 hexadecimal characters (32 bytes)")]
    Format,
    #[error("cannot read or write the master key file: {0}")]
    File(#[from] std::io::Error),
    #[error("the passphrase could not be turned into a key")]
    Passphrase,
}

/// The deployment's key: wraps the operations' data keys, never stored in
/// the database.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    pub fn generate() -> Self {
        Self::from_bytes(rand::random())
    }

    /// 64 hexadecimal characters, as in a key file or `MUSTER_MASTER_KEY`.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let bytes = Zeroizing::new(hex::decode(text.trim()).map_err(|_| KeyError::Format)?);
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| KeyError::Format)?;
        Ok(Self::from_bytes(key))
    }

    /// A key from a passphrase (Argon2id); the salt is the deployment's own
    /// and not secret (the database keeps it).
    pub fn from_passphrase(passphrase: &str, salt: &[u8]) -> Result<Self, KeyError> {
        let mut key = Zeroizing::new([0u8; 32]);
        argon2::Argon2::default()
            .hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
            .map_err(|_| KeyError::Passphrase)?;
        Ok(Self(key))
    }

    /// The key in `path`, created (readable by the owner only) when missing.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                let text = Zeroizing::new(hex::encode(key.0.as_ref()));
                write_private(path, text.as_bytes())?;
                Ok(key)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A value that tells whether this key is the one a database was made
    /// with, without revealing the key.
    pub(crate) fn check_value(&self) -> String {
        hex::encode(mac(self.0.as_ref(), b"muster master key check"))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

fn mac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(message);
    m.finalize().into_bytes().into()
}

fn seal_with(cipher: &XChaCha20Poly1305, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let nonce: [u8; NONCE] = rand::random();
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("encryption of a bounded value cannot fail");
    let mut out = Vec::with_capacity(1 + NONCE + sealed.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

fn open_with(cipher: &XChaCha20Poly1305, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 1 + NONCE || sealed[0] != VERSION {
        return None;
    }
    cipher
        .decrypt(
            XNonce::from_slice(&sealed[1..1 + NONCE]),
            Payload {
                msg: &sealed[1 + NONCE..],
                aad,
            },
        )
        .ok()
}

/// An operation's data key, unwrapped in memory only.
pub(crate) struct DataKey {
    cipher: XChaCha20Poly1305,
    index_key: Zeroizing<[u8; 32]>,
}

impl DataKey {
    fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(bytes.into()),
            index_key: Zeroizing::new(mac(bytes, b"muster blind index")),
        }
    }

    /// A new data key and its wrapped form for the database.
    pub(crate) fn generate(master: &MasterKey, op: &OperationId) -> (Self, Vec<u8>) {
        let bytes = Zeroizing::new(rand::random::<[u8; 32]>());
        let wrapped = seal_with(&master.cipher(), &wrap_aad(op), bytes.as_ref());
        (Self::from_bytes(&bytes), wrapped)
    }

    /// The data key from its wrapped form; `None` with the wrong master key
    /// or a wrapped key that was tampered with.
    pub(crate) fn unwrap(master: &MasterKey, op: &OperationId, wrapped: &[u8]) -> Option<Self> {
        let bytes = Zeroizing::new(open_with(&master.cipher(), &wrap_aad(op), wrapped)?);
        let key: &[u8; 32] = bytes.as_slice().try_into().ok()?;
        Some(Self::from_bytes(key))
    }

    /// Seals a personal value, bound to its operation.
    pub(crate) fn seal(&self, op: &OperationId, plaintext: &[u8]) -> Vec<u8> {
        seal_with(&self.cipher, op.as_str().as_bytes(), plaintext)
    }

    pub(crate) fn open(&self, op: &OperationId, sealed: &[u8]) -> Option<Vec<u8>> {
        open_with(&self.cipher, op.as_str().as_bytes(), sealed)
    }

    /// Sealed text for a text column.
    pub(crate) fn seal_text(&self, op: &OperationId, text: &str) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(self.seal(op, text.as_bytes()))
    }

    pub(crate) fn open_text(&self, op: &OperationId, sealed: &str) -> Option<String> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(sealed)
            .ok()?;
        String::from_utf8(self.open(op, &bytes)?).ok()
    }

    /// A search word's blind index: equal words give equal indexes within
    /// the operation, and nothing about the word can be read from it.
    pub(crate) fn blind(&self, word: &str) -> String {
        hex::encode(&mac(self.index_key.as_ref(), word.as_bytes())[..16])
    }
}

/// An operation's pass-signing secret (the 32-byte Ed25519 seed), sealed
/// under the master key and bound to its operation and key id, so that a
/// sealed key moved to another row does not open.
pub(crate) fn seal_signing_key(
    master: &MasterKey,
    op: &OperationId,
    kid: &str,
    secret: &[u8; 32],
) -> Vec<u8> {
    seal_with(&master.cipher(), &signing_aad(op, kid), secret)
}

/// The secret back; `None` with the wrong master key or a tampered value.
pub(crate) fn open_signing_key(
    master: &MasterKey,
    op: &OperationId,
    kid: &str,
    sealed: &[u8],
) -> Option<Zeroizing<[u8; 32]>> {
    let bytes = Zeroizing::new(open_with(&master.cipher(), &signing_aad(op, kid), sealed)?);
    let key: [u8; 32] = bytes.as_slice().try_into().ok()?;
    Some(Zeroizing::new(key))
}

fn signing_aad(op: &OperationId, kid: &str) -> Vec<u8> {
    format!("muster signing key {} {kid}", op.as_str()).into_bytes()
}

fn wrap_aad(op: &OperationId) -> Vec<u8> {
    [b"muster data key ".as_slice(), op.as_str().as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(s: &str) -> OperationId {
        OperationId::parse(s).unwrap()
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_operation() {
        let master = MasterKey::generate();
        let (key, wrapped) = DataKey::generate(&master, &op("kabul-2021"));
        let sealed = key.seal(&op("kabul-2021"), b"Mohammad Nabi");
        assert!(!sealed.windows(8).any(|w| w == b"Mohammad"));
        assert_eq!(
            key.open(&op("kabul-2021"), &sealed).unwrap(),
            b"Mohammad Nabi"
        );
        assert!(
            key.open(&op("khartoum-2023"), &sealed).is_none(),
            "bound to its operation"
        );
        let again = DataKey::unwrap(&master, &op("kabul-2021"), &wrapped).unwrap();
        assert_eq!(
            again.open(&op("kabul-2021"), &sealed).unwrap(),
            b"Mohammad Nabi"
        );
        assert!(DataKey::unwrap(&MasterKey::generate(), &op("kabul-2021"), &wrapped).is_none());
        assert!(DataKey::unwrap(&master, &op("khartoum-2023"), &wrapped).is_none());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(key.open(&op("kabul-2021"), &tampered).is_none());
        let text = key.seal_text(&op("kabul-2021"), "wheelchair");
        assert_eq!(
            key.open_text(&op("kabul-2021"), &text).unwrap(),
            "wheelchair"
        );
    }

    #[test]
    fn signing_keys_open_only_for_their_operation_and_key_id() {
        let master = MasterKey::generate();
        let sealed = seal_signing_key(&master, &op("kabul-2021"), "kid-1", &[9; 32]);
        assert!(!sealed.windows(4).any(|w| w == [9, 9, 9, 9]));
        assert_eq!(
            *open_signing_key(&master, &op("kabul-2021"), "kid-1", &sealed).unwrap(),
            [9; 32]
        );
        assert!(open_signing_key(&master, &op("kabul-2021"), "kid-2", &sealed).is_none());
        assert!(open_signing_key(&master, &op("khartoum-2023"), "kid-1", &sealed).is_none());
        assert!(
            open_signing_key(&MasterKey::generate(), &op("kabul-2021"), "kid-1", &sealed).is_none()
        );
    }

    #[test]
    fn blind_indexes_match_equal_words_only_under_one_key() {
        let master = MasterKey::generate();
        let (a, _) = DataKey::generate(&master, &op("kabul-2021"));
        let (b, _) = DataKey::generate(&master, &op("kabul-2021"));
        assert_eq!(a.blind("nabi"), a.blind("nabi"));
        assert_ne!(a.blind("nabi"), a.blind("wali"));
        assert_ne!(a.blind("nabi"), b.blind("nabi"));
        assert_eq!(a.blind("nabi").len(), 32);
    }

    #[test]
    fn master_keys_come_from_files_hex_and_passphrases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let k = MasterKey::load_or_create(&path).unwrap();
        let again = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(k.check_value(), again.check_value());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(MasterKey::from_hex("abc"), Err(KeyError::Format)));
        let p1 =
            MasterKey::from_passphrase("correct horse battery staple", b"salt-of-this-deployment")
                .unwrap();
        let p2 =
            MasterKey::from_passphrase("correct horse battery staple", b"salt-of-this-deployment")
                .unwrap();
        assert_eq!(p1.check_value(), p2.check_value());
        assert_ne!(p1.check_value(), k.check_value());
    }
}
