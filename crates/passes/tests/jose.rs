//! A pass is a standard token: `jsonwebtoken`, an independent JOSE library,
//! verifies it with the key taken from our JWKS as published.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use passes::{Jwk, Jwks, PassClaims, PassSigner};

fn claims(exp: i64) -> PassClaims {
    PassClaims {
        jti: "0190a1b2-0000-7000-8000-000000000001".into(),
        op: "kabul-2021".into(),
        mov: "0190a1b2-0000-7000-8000-0000000000aa".into(),
        hh: 4,
        hour: exp - 7200,
        nbf: exp - 86_400,
        exp,
        iat: exp - 90_000,
        code: "ABCD-EFGH".into(),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn jsonwebtoken_verifies_a_pass_with_our_jwks() {
    let signer = PassSigner::from_secret(&[42; 32]);
    let old = PassSigner::from_secret(&[41; 32]);
    let jwks = Jwks {
        keys: vec![
            Jwk::ed25519(&old.public_key()),
            Jwk::ed25519(&signer.public_key()),
        ],
    };
    let published = serde_json::to_string(&jwks).unwrap();
    let token = signer.sign(&claims(now() + 3600));

    let set: JwkSet = serde_json::from_str(&published).unwrap();
    let header = decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
    let jwk = set
        .find(header.kid.as_deref().unwrap())
        .expect("kid in the JWKS");
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.validate_nbf = true;
    validation.required_spec_claims = ["exp", "nbf"].into_iter().map(String::from).collect();
    let read = decode::<PassClaims>(&token, &key, &validation).unwrap();
    assert_eq!(read.claims, claims(read.claims.exp));

    // The same library refuses an altered pass and an expired one.
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    let flip = if parts[2].starts_with("AA") {
        "BB"
    } else {
        "AA"
    };
    parts[2].replace_range(0..2, flip);
    assert!(decode::<PassClaims>(&parts.join("."), &key, &validation).is_err());
    let expired = signer.sign(&claims(now() - 3600));
    assert!(decode::<PassClaims>(&expired, &key, &validation).is_err());
    // And a pass signed by the old, still published key verifies with it.
    let by_old = old.sign(&claims(now() + 3600));
    let old_jwk = set.find(old.kid()).unwrap();
    assert!(
        decode::<PassClaims>(
            &by_old,
            &DecodingKey::from_jwk(old_jwk).unwrap(),
            &validation
        )
        .is_ok()
    );
}
