//! Access tokens: EdDSA (Ed25519) JWTs issued by the identity service and verified by every
//! service.
//!
//! The identity service holds the private key ([`Signer`], `ID77_JWT_PRIVATE_KEY`); the other
//! services hold only the public key ([`Verifier`], `ID77_JWT_PUBLIC_KEY`), so a compromised
//! service cannot mint tokens. A request carries its token in the `authorization: Bearer …`
//! metadata; [`Verifier::authenticate`] checks it in a handler, or [`Authenticator`] for every
//! RPC of a service, and [`require_role`] checks what the caller may do.
//!
//! Keys travel in configuration as standard base64: the private key as PKCS#8 DER, the public key
//! as its raw 32 bytes (`Signer::private_key_base64`, `Signer::public_key_base64`).

use std::{fmt, sync::Arc, time::Duration};

use base64::{Engine as _, engine::general_purpose::STANDARD};
use ed25519_dalek::{
    SigningKey, VerifyingKey,
    pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _},
};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind,
    get_current_timestamp,
};
use serde::{Deserialize, Serialize};
use tonic::{
    Request, Status,
    metadata::{AsciiMetadataValue, MetadataValue},
    service::Interceptor,
};
use uuid::Uuid;

/// The `iss` of every access token: the identity service issues them all.
pub const ISSUER: &str = "id77-identity";
/// The `aud` of every access token: the ID77 services as a whole.
pub const AUDIENCE: &str = "id77";
/// Lifetime of an access token unless [`Claims::with_ttl`] says otherwise: short, because it
/// cannot be revoked; the browser session renews it with its refresh token.
pub const DEFAULT_TTL: Duration = Duration::from_secs(15 * 60);
/// Tolerated clock difference between the issuing and the verifying machine.
pub const LEEWAY: Duration = Duration::from_secs(30);
/// Environment variable holding the public key (base64 of the raw 32 bytes).
pub const PUBLIC_KEY_VAR: &str = "ID77_JWT_PUBLIC_KEY";
/// Environment variable holding the private key (base64 of the PKCS#8 DER document); only the
/// identity service needs it.
pub const PRIVATE_KEY_VAR: &str = "ID77_JWT_PRIVATE_KEY";

/// What the caller is, as carried in the token's `role` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A member organisation's account.
    Member,
    /// An ID77 staff member leading offers.
    Lead,
    /// An ID77 administrator.
    Admin,
    /// A departmental system calling the gRPC API with a service account.
    Service,
}

impl Role {
    /// The claim value: `member`, `lead`, `admin`, `service`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Lead => "lead",
            Role::Admin => "admin",
            Role::Service => "service",
        }
    }

    /// Who holds the role, in the plural, for messages ("réservée aux administrateurs").
    fn holders(self) -> &'static str {
        match self {
            Role::Member => "adhérents",
            Role::Lead => "chefs de file",
            Role::Admin => "administrateurs",
            Role::Service => "comptes de service",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The account (or service account) id.
    pub sub: Uuid,
    /// The member organisation of a member account; `None` for staff and services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    /// What the caller may do.
    pub role: Role,
    /// Display name, so that services can name the actor without a lookup.
    pub name: String,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Issue time, seconds since the Unix epoch.
    pub iat: u64,
    /// Always [`ISSUER`].
    pub iss: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
    /// A unique id per token, for logs and a future deny-list.
    pub jti: Uuid,
}

impl Claims {
    /// Claims issued now, valid for [`DEFAULT_TTL`].
    pub fn new(sub: Uuid, org: Option<Uuid>, role: Role, name: impl Into<String>) -> Self {
        let now = get_current_timestamp();
        Self {
            sub,
            org,
            role,
            name: name.into(),
            exp: now.saturating_add(DEFAULT_TTL.as_secs()),
            iat: now,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            jti: Uuid::now_v7(),
        }
    }

    /// The same claims valid for `ttl` from their issue time.
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.exp = self.iat.saturating_add(ttl.as_secs());
        self
    }
}

/// Why a key or a token was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The configured key is not an Ed25519 key of the expected encoding.
    #[error("invalid Ed25519 key: {0}")]
    InvalidKey(String),
    /// The operating system gave no randomness for a new key.
    #[error("no randomness from the operating system: {0}")]
    Random(#[from] getrandom::Error),
    /// Signing failed (a bug or a broken key: the key is checked when the signer is built).
    #[error("could not sign the token: {0}")]
    Sign(#[source] jsonwebtoken::errors::Error),
    /// The token has expired (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// The signature does not match: another key, or a modified token.
    #[error("bad token signature")]
    BadSignature,
    /// The token was issued for another audience.
    #[error("token for another audience")]
    WrongAudience,
    /// The token was issued by someone else.
    #[error("token from another issuer")]
    WrongIssuer,
    /// Not a JWT of ours: bad shape, other algorithm, missing or ill-typed claims.
    #[error("malformed token: {0}")]
    Malformed(#[source] jsonwebtoken::errors::Error),
    /// The token cannot travel in gRPC metadata (characters outside visible ASCII).
    #[error("token not valid in metadata")]
    InvalidHeader,
}

/// Signs access tokens; held by the identity service only.
#[derive(Clone)]
pub struct Signer {
    key: EncodingKey,
    pkcs8_der: Vec<u8>,
    public_key: [u8; 32],
}

/// Shows the public key only.
impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("public_key", &self.public_key_base64())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A new random key pair, for the all-in-one mode, tests, and making the keys to configure.
    pub fn generate() -> Result<Self, AuthError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)?;
        let signing_key = SigningKey::from_bytes(&secret);
        let der = signing_key
            .to_pkcs8_der()
            .map_err(|e| AuthError::InvalidKey(e.to_string()))?;
        Self::from_pkcs8_der(der.as_bytes())
    }

    /// The private key as a PKCS#8 DER document (what `openssl genpkey -algorithm ed25519
    /// -outform DER` writes). The key is checked here rather than at the first signature.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, AuthError> {
        let signing_key = SigningKey::from_pkcs8_der(der)
            .map_err(|e| AuthError::InvalidKey(format!("not an Ed25519 PKCS#8 key: {e}")))?;
        Ok(Self {
            key: EncodingKey::from_ed_der(der),
            pkcs8_der: der.to_vec(),
            public_key: signing_key.verifying_key().to_bytes(),
        })
    }

    /// The private key from configuration: standard base64 of the PKCS#8 DER document.
    pub fn from_base64(encoded: &str) -> Result<Self, AuthError> {
        let der = STANDARD
            .decode(encoded.trim())
            .map_err(|e| AuthError::InvalidKey(format!("not base64: {e}")))?;
        Self::from_pkcs8_der(&der)
    }

    /// The signer configured by `ID77_JWT_PRIVATE_KEY`.
    pub fn from_env() -> anyhow::Result<Self> {
        use secrecy::ExposeSecret as _;
        let encoded = crate::config::secret(PRIVATE_KEY_VAR)?
            .ok_or_else(|| anyhow::anyhow!("{PRIVATE_KEY_VAR} is not set"))?;
        Self::from_base64(encoded.expose_secret())
            .map_err(|e| anyhow::anyhow!("invalid {PRIVATE_KEY_VAR}: {e}"))
    }

    /// The raw 32-byte public key, for [`Verifier::new`].
    pub fn public_key(&self) -> [u8; 32] {
        self.public_key
    }

    /// The public key as configured in `ID77_JWT_PUBLIC_KEY`.
    pub fn public_key_base64(&self) -> String {
        STANDARD.encode(self.public_key)
    }

    /// The private key as configured in `ID77_JWT_PRIVATE_KEY`. A secret: print it only to
    /// store it in a secret store.
    pub fn private_key_base64(&self) -> String {
        STANDARD.encode(&self.pkcs8_der)
    }

    /// A verifier for the tokens this signer makes.
    pub fn verifier(&self) -> Result<Verifier, AuthError> {
        Verifier::new(self.public_key)
    }

    /// The signed token (`header.claims.signature`, EdDSA). The claims are signed as given: build
    /// them with [`Claims::new`] for the default lifetime.
    pub fn sign(&self, claims: &Claims) -> Result<String, AuthError> {
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), claims, &self.key)
            .map_err(AuthError::Sign)
    }
}

/// Checks access tokens against the identity service's public key.
#[derive(Clone)]
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
    public_key: [u8; 32],
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("public_key", &STANDARD.encode(self.public_key))
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for the raw 32-byte Ed25519 public key. Refuses bytes that are not a point of
    /// the curve, and weak (small-order) keys, for which signatures prove nothing.
    pub fn new(public_key: [u8; 32]) -> Result<Self, AuthError> {
        let verifying_key = VerifyingKey::from_bytes(&public_key)
            .map_err(|e| AuthError::InvalidKey(format!("not an Ed25519 public key: {e}")))?;
        if verifying_key.is_weak() {
            return Err(AuthError::InvalidKey("weak Ed25519 public key".to_owned()));
        }
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = LEEWAY.as_secs();
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        Ok(Self {
            key: DecodingKey::from_ed_der(&public_key),
            validation,
            public_key,
        })
    }

    /// The public key from configuration: standard base64 of the raw 32 bytes.
    pub fn from_base64(encoded: &str) -> Result<Self, AuthError> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|e| AuthError::InvalidKey(format!("not base64: {e}")))?;
        let public_key: [u8; 32] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            AuthError::InvalidKey(format!(
                "an Ed25519 public key has 32 bytes, not {}",
                bytes.len()
            ))
        })?;
        Self::new(public_key)
    }

    /// The verifier configured by `ID77_JWT_PUBLIC_KEY`.
    pub fn from_env() -> anyhow::Result<Self> {
        let encoded = required_var(PUBLIC_KEY_VAR)?;
        Self::from_base64(&encoded).map_err(|e| anyhow::anyhow!("invalid {PUBLIC_KEY_VAR}: {e}"))
    }

    /// The claims of a valid token: signed by our key with EdDSA (the algorithm is fixed here,
    /// never taken from the token's header), not expired beyond [`LEEWAY`], issued by
    /// [`ISSUER`] for [`AUDIENCE`].
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                ErrorKind::InvalidSignature => AuthError::BadSignature,
                ErrorKind::InvalidAudience => AuthError::WrongAudience,
                ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
                _ => AuthError::Malformed(error),
            })
    }

    /// The caller's claims from the request's `authorization: Bearer …` metadata, or
    /// `UNAUTHENTICATED` with a French message. Why a token was refused is logged at debug
    /// level (never the token), not told to the caller.
    pub fn authenticate<T>(&self, request: &Request<T>) -> Result<Claims, Status> {
        let token = bearer_token(request)?;
        self.verify(token).map_err(|error| {
            tracing::debug!(%error, "access token refused");
            match error {
                AuthError::Expired => {
                    Status::unauthenticated("Votre session a expiré : reconnectez-vous.")
                }
                _ => Status::unauthenticated(
                    "Jeton d'accès invalide : reconnectez-vous pour continuer.",
                ),
            }
        })
    }

    /// An interceptor that authenticates every RPC of a service (see [`Authenticator`]).
    pub fn interceptor(&self) -> Authenticator {
        Authenticator(Arc::new(self.clone()))
    }
}

/// A tonic interceptor for services whose every RPC needs a caller: it refuses requests without
/// a valid token and puts the [`Claims`] in the request's extensions, where handlers read them
/// with [`claims`]. Services with anonymous RPCs (registration, login) call
/// [`Verifier::authenticate`] in the handlers that need it instead.
#[derive(Debug, Clone)]
pub struct Authenticator(Arc<Verifier>);

impl Interceptor for Authenticator {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let claims = self.0.authenticate(&request)?;
        request.extensions_mut().insert(claims);
        Ok(request)
    }
}

/// The claims that [`Authenticator`] verified for this request. `UNAUTHENTICATED` when there
/// are none, which means the service was built without the interceptor: refuse rather than
/// serve anonymously.
pub fn claims<T>(request: &Request<T>) -> Result<&Claims, Status> {
    request
        .extensions()
        .get::<Claims>()
        .ok_or_else(|| Status::unauthenticated("Authentification requise : connectez-vous."))
}

/// `PERMISSION_DENIED` unless the caller has one of the `allowed` roles.
pub fn require_role(claims: &Claims, allowed: &[Role]) -> Result<(), Status> {
    if allowed.contains(&claims.role) {
        return Ok(());
    }
    let holders: Vec<&str> = allowed.iter().map(|role| role.holders()).collect();
    let message = match holders.split_last() {
        None => "Accès refusé : cette action n'est ouverte à personne.".to_owned(),
        Some((last, [])) => format!("Accès refusé : cette action est réservée aux {last}."),
        Some((last, rest)) => format!(
            "Accès refusé : cette action est réservée aux {} et aux {last}.",
            rest.join(", aux ")
        ),
    };
    Err(Status::permission_denied(message))
}

/// Puts `authorization: Bearer <token>` on an outgoing request: the gateway forwarding a
/// user's token, a service calling another, tests.
pub fn set_bearer<T>(request: &mut Request<T>, token: &str) -> Result<(), AuthError> {
    let value: AsciiMetadataValue =
        MetadataValue::try_from(format!("Bearer {token}")).map_err(|_| AuthError::InvalidHeader)?;
    request.metadata_mut().insert("authorization", value);
    Ok(())
}

/// The token of `authorization: Bearer <token>` (the scheme in any case, as RFC 6750 allows).
fn bearer_token<T>(request: &Request<T>) -> Result<&str, Status> {
    let missing = || Status::unauthenticated("Authentification requise : connectez-vous.");
    let header = request
        .metadata()
        .get("authorization")
        .ok_or_else(missing)?
        .to_str()
        .map_err(|_| missing())?;
    match header.trim().split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(Status::unauthenticated(
            "Authentification requise : l'en-tête authorization doit être « Bearer <jeton> ».",
        )),
    }
}

fn required_var(name: &str) -> anyhow::Result<String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        Ok(_) | Err(std::env::VarError::NotPresent) => Err(anyhow::anyhow!("{name} is not set")),
        Err(std::env::VarError::NotUnicode(_)) => Err(anyhow::anyhow!("{name} is not valid UTF-8")),
    }
}

#[cfg(test)]
mod tests;
