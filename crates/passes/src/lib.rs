//! Passes: what a household shows at the gate. A pass is a JWS compact token
//! (RFC 7515) signed with EdDSA over Ed25519 (RFC 8037) by its operation's
//! key, carrying ids, the household's size and its time window, and never a
//! name: a pass may be seen at a checkpoint by the wrong people. The public
//! keys go out as a JWKS, so any standard JOSE library (and WebCrypto at the
//! gate) can check a pass without us.
//!
//! Pure: keys come in as bytes, time as seconds; no I/O, no randomness.

mod code;

pub use code::{CODE_ALPHABET, CodeError, ShortCode};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The JOSE `typ` of a pass, so that no other token signed with the same
/// key can pass for one.
pub const PASS_TYPE: &str = "muster-pass+jwt";

/// The protected header of a pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub alg: String,
    pub kid: String,
    pub typ: String,
}

/// What a pass says. Ids and numbers only: no name, no document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassClaims {
    /// The pass id (a UUID): what the gate records and the revocation list names.
    pub jti: String,
    /// The operation (`kabul-2021`).
    pub op: String,
    /// The movement id (a UUID).
    pub mov: String,
    /// Persons in the household.
    pub hh: u32,
    /// The processing hour, seconds since 1970 (UTC).
    pub hour: i64,
    /// Valid from (seconds since 1970).
    pub nbf: i64,
    /// Valid until: the movement's departure.
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// The short code read out over a phone (`ABCD-EFGH`).
    pub code: String,
}

/// Why a token is not a good pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PassError {
    #[error("not a JWS compact token (three base64url parts)")]
    Malformed,
    #[error("the header is not a pass header (EdDSA, a key id, the pass type)")]
    Header,
    #[error("signed with a key this operation never published")]
    UnknownKey,
    #[error("the signature does not match: the pass was forged or altered")]
    Signature,
    #[error("the signed claims are not a pass's claims")]
    Claims,
}

/// Where a time stands in a pass's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    NotYetValid,
    Valid,
    Expired,
}

impl PassClaims {
    /// The window at `now` (seconds since 1970): `nbf <= now < exp` is valid.
    pub fn window(&self, now: i64) -> Window {
        if now < self.nbf {
            Window::NotYetValid
        } else if now >= self.exp {
            Window::Expired
        } else {
            Window::Valid
        }
    }
}

/// An operation's signing key, from its 32 secret bytes (RFC 8032 seed).
pub struct PassSigner {
    key: SigningKey,
    kid: String,
}

impl PassSigner {
    pub fn from_secret(secret: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(secret);
        let kid = key_id(&key.verifying_key().to_bytes());
        Self { key, kid }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The pass as a JWS compact token.
    pub fn sign(&self, claims: &PassClaims) -> String {
        let header = Header {
            alg: "EdDSA".into(),
            kid: self.kid.clone(),
            typ: PASS_TYPE.into(),
        };
        let input = format!(
            "{}.{}",
            b64(&serde_json::to_vec(&header).expect("a header serialises")),
            b64(&serde_json::to_vec(claims).expect("claims serialise"))
        );
        let sig = self.key.sign(input.as_bytes());
        format!("{input}.{}", b64(&sig.to_bytes()))
    }
}

/// The public key that signs with `secret`.
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(secret).verifying_key().to_bytes()
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Result<Vec<u8>, PassError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| PassError::Malformed)
}

/// The key id: the RFC 7638 thumbprint of the key's JWK, so that anyone can
/// recompute it from the JWKS.
pub fn key_id(public: &[u8; 32]) -> String {
    // Members in lexicographic order, no spaces, as RFC 7638 requires.
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, b64(public));
    b64(&Sha256::digest(canonical.as_bytes()))
}

/// Reads the header without checking anything, to find the key.
pub fn peek_header(token: &str) -> Result<Header, PassError> {
    let head = token.split('.').next().ok_or(PassError::Malformed)?;
    serde_json::from_slice(&unb64(head)?).map_err(|_| PassError::Header)
}

/// Checks a token's form, header and signature with the public key that
/// `key_for` gives for its `kid`, and reads its claims. The time window is
/// the caller's to check ([`PassClaims::window`]).
pub fn verify(
    token: &str,
    key_for: impl Fn(&str) -> Option<[u8; 32]>,
) -> Result<PassClaims, PassError> {
    let mut parts = token.trim().split('.');
    let (Some(head), Some(body), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(PassError::Malformed);
    };
    let header: Header = serde_json::from_slice(&unb64(head)?).map_err(|_| PassError::Header)?;
    if header.alg != "EdDSA" || header.typ != PASS_TYPE {
        return Err(PassError::Header);
    }
    let public = key_for(&header.kid).ok_or(PassError::UnknownKey)?;
    let key = VerifyingKey::from_bytes(&public).map_err(|_| PassError::UnknownKey)?;
    let sig: [u8; 64] = unb64(sig)?.try_into().map_err(|_| PassError::Signature)?;
    let signing_input = &token.trim()[..head.len() + 1 + body.len()];
    key.verify(signing_input.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| PassError::Signature)?;
    serde_json::from_slice(&unb64(body)?).map_err(|_| PassError::Claims)
}

/// One public key as an RFC 8037 JWK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub kid: String,
    #[serde(rename = "use")]
    pub use_: String,
    pub alg: String,
}

impl Jwk {
    pub fn ed25519(public: &[u8; 32]) -> Self {
        Self {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: b64(public),
            kid: key_id(public),
            use_: "sig".into(),
            alg: "EdDSA".into(),
        }
    }

    /// The key's bytes, if this is an Ed25519 signing key.
    pub fn public_key(&self) -> Option<[u8; 32]> {
        if self.kty != "OKP" || self.crv != "Ed25519" {
            return None;
        }
        URL_SAFE_NO_PAD.decode(&self.x).ok()?.try_into().ok()
    }
}

/// A JWK set (RFC 7517 section 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// A lookup for [`verify`].
    pub fn key(&self, kid: &str) -> Option<[u8; 32]> {
        self.keys
            .iter()
            .find(|k| k.kid == kid)
            .and_then(Jwk::public_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> PassClaims {
        PassClaims {
            jti: "0190a1b2-0000-7000-8000-000000000001".into(),
            op: "kabul-2021".into(),
            mov: "0190a1b2-0000-7000-8000-0000000000aa".into(),
            hh: 5,
            hour: 1_629_446_400,
            nbf: 1_629_403_200,
            exp: 1_629_468_000,
            iat: 1_629_400_000,
            code: "ABCD-EFGH".into(),
        }
    }

    #[test]
    fn a_signed_pass_verifies_with_its_key_only() {
        let signer = PassSigner::from_secret(&[7; 32]);
        let token = signer.sign(&claims());
        let jwks = Jwks {
            keys: vec![Jwk::ed25519(&signer.public_key())],
        };
        assert_eq!(verify(&token, |k| jwks.key(k)).unwrap(), claims());
        let other = PassSigner::from_secret(&[8; 32]);
        let other_jwks = Jwks {
            keys: vec![Jwk::ed25519(&other.public_key())],
        };
        assert_eq!(
            verify(&token, |k| other_jwks.key(k)),
            Err(PassError::UnknownKey)
        );
        // The right kid, the wrong key: a forger who copied the kid.
        assert_eq!(
            verify(&token, |_| Some(other.public_key())),
            Err(PassError::Signature)
        );
        let header = peek_header(&token).unwrap();
        assert_eq!(header.alg, "EdDSA");
        assert_eq!(header.typ, PASS_TYPE);
        assert_eq!(header.kid, signer.kid());
    }

    #[test]
    fn altered_claims_break_the_signature() {
        let signer = PassSigner::from_secret(&[7; 32]);
        let token = signer.sign(&claims());
        let parts: Vec<&str> = token.split('.').collect();
        let mut bigger = claims();
        bigger.hh = 9;
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64(&serde_json::to_vec(&bigger).unwrap()),
            parts[2]
        );
        let key = signer.public_key();
        assert_eq!(verify(&forged, |_| Some(key)), Err(PassError::Signature));
        assert_eq!(verify("abc", |_| Some(key)), Err(PassError::Malformed));
        assert_eq!(verify("a.b.c.d", |_| Some(key)), Err(PassError::Malformed));
        // `alg: none` and other algorithms are refused before any key is asked.
        let none = format!(
            "{}.{}.",
            b64(br#"{"alg":"none","kid":"x","typ":"muster-pass+jwt"}"#),
            parts[1]
        );
        assert_eq!(verify(&none, |_| Some(key)), Err(PassError::Header));
    }

    #[test]
    fn the_window_runs_from_nbf_to_exp() {
        let c = claims();
        assert_eq!(c.window(c.nbf - 1), Window::NotYetValid);
        assert_eq!(c.window(c.nbf), Window::Valid);
        assert_eq!(c.window(c.exp - 1), Window::Valid);
        assert_eq!(c.window(c.exp), Window::Expired);
    }

    #[test]
    fn no_personal_field_in_the_claims() {
        let json = serde_json::to_value(claims()).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys.len(),
            9,
            "a new claim must be checked for personal data: {keys:?}"
        );
    }

    #[test]
    fn the_key_id_is_the_rfc_7638_thumbprint() {
        // RFC 8037 appendix A.3: the thumbprint of its example key.
        let x = URL_SAFE_NO_PAD
            .decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
            .unwrap();
        let public: [u8; 32] = x.try_into().unwrap();
        assert_eq!(
            key_id(&public),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        // And appendix A.1/A.2: the secret gives that public key.
        let d = URL_SAFE_NO_PAD
            .decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
            .unwrap();
        assert_eq!(public_key(&d.try_into().unwrap()), public);
    }
}
