use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tonic::Code;

use super::*;

fn signer() -> Signer {
    Signer::generate().unwrap()
}

fn member_claims() -> Claims {
    Claims::new(
        Uuid::now_v7(),
        Some(Uuid::now_v7()),
        Role::Member,
        "Commune de Melun",
    )
}

fn request_with(authorization: Option<&str>) -> Request<()> {
    let mut request = Request::new(());
    if let Some(value) = authorization {
        request
            .metadata_mut()
            .insert("authorization", value.parse().unwrap());
    }
    request
}

#[test]
fn round_trip() {
    let signer = signer();
    let claims = member_claims();
    let token = signer.sign(&claims).unwrap();
    assert_eq!(token.split('.').count(), 3);
    let verified = signer.verifier().unwrap().verify(&token).unwrap();
    assert_eq!(verified, claims);
    assert_eq!(verified.iss, "id77-identity");
    assert_eq!(verified.aud, "id77");
    assert_eq!(verified.exp - verified.iat, 15 * 60);
}

#[test]
fn header_says_eddsa() {
    let token = signer().sign(&member_claims()).unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
}

#[test]
fn staff_claims_have_no_organisation() {
    let signer = signer();
    let claims = Claims::new(Uuid::now_v7(), None, Role::Admin, "Admin ID77");
    let token = signer.sign(&claims).unwrap();
    let payload = token.split('.').nth(1).unwrap();
    let json = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert!(!json.contains("\"org\""), "{json}");
    assert!(json.contains("\"role\":\"admin\""), "{json}");
    assert_eq!(signer.verifier().unwrap().verify(&token).unwrap().org, None);
}

#[test]
fn expired_tokens_are_refused_after_the_leeway() {
    let signer = signer();
    let verifier = signer.verifier().unwrap();
    let now = get_current_timestamp();
    let mut claims = member_claims();
    claims.iat = now - 20 * 60;
    claims.exp = now - 60;
    let token = signer.sign(&claims).unwrap();
    assert!(matches!(verifier.verify(&token), Err(AuthError::Expired)));
    // Within the 30 s leeway: still accepted (clocks differ a little between machines).
    claims.exp = now - 10;
    let token = signer.sign(&claims).unwrap();
    assert!(verifier.verify(&token).is_ok());
    // A chosen lifetime is honoured.
    let short = member_claims().with_ttl(Duration::from_secs(60));
    assert_eq!(short.exp - short.iat, 60);
}

#[test]
fn another_key_is_refused() {
    let token = signer().sign(&member_claims()).unwrap();
    let other = signer().verifier().unwrap();
    assert!(matches!(other.verify(&token), Err(AuthError::BadSignature)));
}

#[test]
fn tampered_tokens_are_refused() {
    let signer = signer();
    let verifier = signer.verifier().unwrap();
    let token = signer.sign(&member_claims()).unwrap();
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    // Promote oneself to admin, keeping the signature.
    let json = String::from_utf8(URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    let forged = json.replace("\"role\":\"member\"", "\"role\":\"admin\"");
    assert_ne!(forged, json);
    parts[1] = URL_SAFE_NO_PAD.encode(forged);
    assert!(matches!(
        verifier.verify(&parts.join(".")),
        Err(AuthError::BadSignature)
    ));
    // A flipped signature character.
    let mut bytes = token.into_bytes();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(bytes).unwrap();
    assert!(verifier.verify(&flipped).is_err());
    // Not a token at all.
    assert!(matches!(
        verifier.verify("not.a.token"),
        Err(AuthError::Malformed(_))
    ));
}

#[test]
fn unsigned_tokens_are_refused() {
    // "alg": "none" with the claims of a valid token: the algorithm is not the token's choice.
    let signer = signer();
    let token = signer.sign(&member_claims()).unwrap();
    let payload = token.split('.').nth(1).unwrap();
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{header}.{payload}.");
    assert!(signer.verifier().unwrap().verify(&unsigned).is_err());
}

#[test]
fn wrong_audience_or_issuer_is_refused() {
    let signer = signer();
    let verifier = signer.verifier().unwrap();
    let mut claims = member_claims();
    claims.aud = "another-platform".into();
    let token = signer.sign(&claims).unwrap();
    assert!(matches!(
        verifier.verify(&token),
        Err(AuthError::WrongAudience)
    ));
    let mut claims = member_claims();
    claims.iss = "someone-else".into();
    let token = signer.sign(&claims).unwrap();
    assert!(matches!(
        verifier.verify(&token),
        Err(AuthError::WrongIssuer)
    ));
}

#[test]
fn keys_survive_base64_configuration() {
    let signer = signer();
    let again = Signer::from_base64(&signer.private_key_base64()).unwrap();
    assert_eq!(again.public_key(), signer.public_key());
    let verifier = Verifier::from_base64(&format!(" {} \n", signer.public_key_base64())).unwrap();
    let token = again.sign(&member_claims()).unwrap();
    assert!(verifier.verify(&token).is_ok());
    assert_eq!(
        STANDARD.decode(signer.public_key_base64()).unwrap().len(),
        32
    );
    // The debug output never shows the private key.
    assert!(!format!("{signer:?}").contains(&signer.private_key_base64()));
}

#[test]
fn bad_keys_are_refused_when_loaded() {
    assert!(matches!(
        Signer::from_pkcs8_der(b"not a key"),
        Err(AuthError::InvalidKey(_))
    ));
    assert!(matches!(
        Signer::from_base64("%%%"),
        Err(AuthError::InvalidKey(_))
    ));
    assert!(matches!(
        Verifier::from_base64(&STANDARD.encode([1u8; 31])),
        Err(AuthError::InvalidKey(_))
    ));
    // The identity point: a weak key that would accept forged signatures.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert!(matches!(
        Verifier::new(identity),
        Err(AuthError::InvalidKey(_))
    ));
}

#[test]
fn authenticate_reads_the_bearer_metadata() {
    let signer = signer();
    let verifier = signer.verifier().unwrap();
    let claims = member_claims();
    let token = signer.sign(&claims).unwrap();
    let mut request = Request::new(());
    set_bearer(&mut request, &token).unwrap();
    assert_eq!(verifier.authenticate(&request).unwrap(), claims);
    let lower = request_with(Some(&format!("bearer {token}")));
    assert_eq!(verifier.authenticate(&lower).unwrap(), claims);
}

#[test]
fn missing_or_invalid_authorization_is_unauthenticated() {
    let verifier = signer().verifier().unwrap();
    let foreign = signer().sign(&member_claims()).unwrap();
    for authorization in [
        None,
        Some("Bearer"),
        Some("Bearer   "),
        Some("Basic dXNlcjpwYXNz"),
        Some("Bearer garbage"),
        Some(foreign.as_str()),
        Some(&format!("Bearer {foreign}")),
    ] {
        let status = verifier
            .authenticate(&request_with(authorization))
            .unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{authorization:?}");
        assert!(!status.message().is_empty());
        // French for the user, and never the token itself.
        assert!(!status.message().contains(&foreign));
    }
    let status = verifier.authenticate(&request_with(None)).unwrap_err();
    assert!(status.message().contains("Authentification requise"));
}

#[test]
fn expired_sessions_say_so() {
    let signer = signer();
    let mut claims = member_claims();
    claims.exp = get_current_timestamp() - 3600;
    let token = signer.sign(&claims).unwrap();
    let status = signer
        .verifier()
        .unwrap()
        .authenticate(&request_with(Some(&format!("Bearer {token}"))))
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(status.message().contains("expiré"), "{}", status.message());
}

#[test]
fn interceptor_stores_the_claims_for_handlers() {
    let signer = signer();
    let mut interceptor = signer.verifier().unwrap().interceptor();
    let claims = member_claims();
    let token = signer.sign(&claims).unwrap();
    let request = interceptor
        .call(request_with(Some(&format!("Bearer {token}"))))
        .unwrap();
    assert_eq!(super::claims(&request).unwrap(), &claims);
    let refused = interceptor.call(request_with(None)).unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated);
    // Without the interceptor, handlers find no claims and refuse.
    let status = super::claims(&request_with(None)).unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[test]
fn require_role_refuses_other_roles() {
    let claims = member_claims();
    assert!(require_role(&claims, &[Role::Member]).is_ok());
    assert!(require_role(&claims, &[Role::Lead, Role::Member]).is_ok());
    let status = require_role(&claims, &[Role::Admin]).unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(
        status.message(),
        "Accès refusé : cette action est réservée aux administrateurs."
    );
    let status = require_role(&claims, &[Role::Lead, Role::Admin, Role::Service]).unwrap_err();
    assert_eq!(
        status.message(),
        "Accès refusé : cette action est réservée aux chefs de file, aux administrateurs \
         et aux comptes de service."
    );
    assert_eq!(
        require_role(&claims, &[]).unwrap_err().code(),
        Code::PermissionDenied
    );
}

#[test]
fn roles_serialise_in_lower_case() {
    for (role, value) in [
        (Role::Member, "member"),
        (Role::Lead, "lead"),
        (Role::Admin, "admin"),
        (Role::Service, "service"),
    ] {
        assert_eq!(role.as_str(), value);
        let claims = Claims::new(Uuid::now_v7(), None, role, "x");
        let signer = signer();
        let token = signer.sign(&claims).unwrap();
        assert_eq!(
            signer.verifier().unwrap().verify(&token).unwrap().role,
            role
        );
    }
}
