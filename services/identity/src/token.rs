//! One-time tokens (e-mail confirmation, invitation, password reset, e-mail change) and refresh
//! tokens.
//!
//! A token is 256 random bits, sent to its owner once (in a link or a cookie) as URL-safe base64
//! without padding, and stored only as its SHA-256: a copy of the database does not let anyone
//! use the tokens in it. 256 bits leave nothing to guess, so a fast hash is enough (unlike
//! passwords, which need argon2 because people choose them).

use std::fmt;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest as _, Sha256};

/// Random bytes in a token.
const TOKEN_BYTES: usize = 32;
/// Length of a token in URL-safe base64 without padding: ⌈32 × 4 / 3⌉.
const TOKEN_CHARS: usize = 43;

/// What can go wrong with a token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The operating system gave no random bytes (a server fault).
    #[error("no randomness from the operating system: {0}")]
    Random(#[from] getrandom::Error),
    /// A token received does not have the shape of one we issue: truncated link, typo. The
    /// caller answers as for an unknown or expired token.
    #[error("malformed token")]
    Malformed,
}

/// 256 random bits in URL-safe base64; the shared part of [`OneTimeToken`] and
/// [`RefreshToken`].
#[derive(Clone, PartialEq, Eq)]
struct Secret(String);

impl Secret {
    fn generate() -> Result<Self, TokenError> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Checks the shape only (length and alphabet): whether it exists is the store's business.
    fn parse(input: &str) -> Result<Self, TokenError> {
        let input = input.trim();
        let decodes = URL_SAFE_NO_PAD
            .decode(input)
            .is_ok_and(|bytes| bytes.len() == TOKEN_BYTES);
        if input.len() == TOKEN_CHARS && decodes {
            Ok(Self(input.to_owned()))
        } else {
            Err(TokenError::Malformed)
        }
    }

    fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// A single-use token sent by e-mail in a link. Store [`OneTimeToken::hash`] with its
/// [`TokenPurpose`] and expiry; send [`OneTimeToken::as_str`] once and forget it.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeToken(Secret);

impl OneTimeToken {
    /// A new token from the operating system's random generator.
    pub fn generate() -> Result<Self, TokenError> {
        Secret::generate().map(Self)
    }

    /// A token back from a link, checked for shape before any lookup.
    pub fn parse(input: &str) -> Result<Self, TokenError> {
        Secret::parse(input).map(Self)
    }

    /// The value to put in the link (43 URL-safe characters, nothing to escape).
    pub fn as_str(&self) -> &str {
        &self.0.0
    }

    /// SHA-256 in lower-case hex (64 characters): what is stored and looked up.
    pub fn hash(&self) -> String {
        self.0.hash()
    }
}

/// Never shows the token itself, so that it cannot reach a log by a stray `{:?}`.
impl fmt::Debug for OneTimeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeToken(***)")
    }
}

/// What a one-time token is for, which sets how long it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    /// Confirm the address given at registration: 48 hours, to survive a weekend's e-mail.
    EmailConfirmation,
    /// Choose a password after approval or a staff invitation: 7 days.
    Invitation,
    /// Reset a forgotten password: 30 minutes, since it hands over the account.
    PasswordReset,
    /// Confirm a new address: 48 hours.
    EmailChange,
}

impl TokenPurpose {
    /// Every purpose.
    pub const ALL: [TokenPurpose; 4] = [
        TokenPurpose::EmailConfirmation,
        TokenPurpose::Invitation,
        TokenPurpose::PasswordReset,
        TokenPurpose::EmailChange,
    ];

    /// How long a token for this purpose stays valid.
    pub fn ttl(self) -> TimeDelta {
        match self {
            TokenPurpose::EmailConfirmation | TokenPurpose::EmailChange => TimeDelta::hours(48),
            TokenPurpose::Invitation => TimeDelta::days(7),
            TokenPurpose::PasswordReset => TimeDelta::minutes(30),
        }
    }

    /// When a token issued at `issued_at` stops being valid.
    pub fn expires_at(self, issued_at: DateTime<Utc>) -> DateTime<Utc> {
        issued_at + self.ttl()
    }

    /// The storage value.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::EmailConfirmation => "email_confirmation",
            TokenPurpose::Invitation => "invitation",
            TokenPurpose::PasswordReset => "password_reset",
            TokenPurpose::EmailChange => "email_change",
        }
    }

    /// The purpose a stored value names, if any.
    pub fn from_storage(value: &str) -> Option<Self> {
        TokenPurpose::ALL
            .into_iter()
            .find(|purpose| purpose.as_str() == value)
    }
}

impl fmt::Display for TokenPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The long-lived half of a browser session, kept in an `HttpOnly` cookie and exchanged for a
/// new access JWT. Rotated at each use: the old hash is revoked when the new one is stored, and
/// a revoked token presented again means theft, so the whole session goes.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(Secret);

impl RefreshToken {
    /// How long an unused session lasts; each refresh starts a new period.
    pub const TTL: TimeDelta = TimeDelta::days(14);

    /// A new token from the operating system's random generator.
    pub fn generate() -> Result<Self, TokenError> {
        Secret::generate().map(Self)
    }

    /// A token back from its cookie, checked for shape before any lookup.
    pub fn parse(input: &str) -> Result<Self, TokenError> {
        Secret::parse(input).map(Self)
    }

    /// The cookie value.
    pub fn as_str(&self) -> &str {
        &self.0.0
    }

    /// SHA-256 in lower-case hex: what is stored and looked up.
    pub fn hash(&self) -> String {
        self.0.hash()
    }
}

/// Never shows the token itself.
impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn tokens_are_43_url_safe_characters_and_all_different() {
        let tokens: HashSet<String> = (0..1000)
            .map(|_| OneTimeToken::generate().unwrap().as_str().to_owned())
            .collect();
        assert_eq!(tokens.len(), 1000);
        for token in &tokens {
            assert_eq!(token.len(), 43);
            assert!(
                token
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{token}"
            );
        }
    }

    #[test]
    fn tokens_carry_256_bits() {
        let token = OneTimeToken::generate().unwrap();
        let bytes = URL_SAFE_NO_PAD.decode(token.as_str()).unwrap();
        assert_eq!(bytes.len(), 32);
        // Over many tokens every bit position takes both values: the bytes are not constant.
        let mut ones = [0u32; 256];
        for _ in 0..200 {
            let token = OneTimeToken::generate().unwrap();
            let bytes = URL_SAFE_NO_PAD.decode(token.as_str()).unwrap();
            for (i, byte) in bytes.iter().enumerate() {
                for bit in 0..8 {
                    ones[i * 8 + bit] += u32::from((byte >> bit) & 1);
                }
            }
        }
        assert!(ones.iter().all(|&n| n > 0 && n < 200));
    }

    #[test]
    fn hash_is_sha256_hex_of_the_link_value() {
        let token = OneTimeToken::parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
        // sha256("A" × 43), computed independently with `printf %s … | sha256sum`.
        assert_eq!(
            token.hash(),
            "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a"
        );
        let generated = OneTimeToken::generate().unwrap();
        let hash = generated.hash();
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert_eq!(
            OneTimeToken::parse(generated.as_str()).unwrap().hash(),
            hash
        );
        assert_ne!(OneTimeToken::generate().unwrap().hash(), hash);
    }

    #[test]
    fn parse_checks_the_shape() {
        let token = OneTimeToken::generate().unwrap();
        assert_eq!(
            OneTimeToken::parse(&format!(" {} ", token.as_str())).unwrap(),
            token
        );
        let truncated = &token.as_str()[..42];
        for input in [
            "",
            truncated,
            &format!("{}A", token.as_str()),
            &format!("{truncated}="),
            &format!("{truncated}+"),
            "ééééééééééééééééééééééééééééééééééééééééééé",
        ] {
            assert!(
                matches!(OneTimeToken::parse(input), Err(TokenError::Malformed)),
                "{input:?}"
            );
        }
    }

    #[test]
    fn debug_hides_the_token() {
        let token = OneTimeToken::generate().unwrap();
        assert!(!format!("{token:?}").contains(token.as_str()));
        let refresh = RefreshToken::generate().unwrap();
        assert!(!format!("{refresh:?}").contains(refresh.as_str()));
    }

    #[test]
    fn lifetimes_per_purpose() {
        assert_eq!(TokenPurpose::EmailConfirmation.ttl(), TimeDelta::hours(48));
        assert_eq!(TokenPurpose::Invitation.ttl(), TimeDelta::days(7));
        assert_eq!(TokenPurpose::PasswordReset.ttl(), TimeDelta::minutes(30));
        assert_eq!(TokenPurpose::EmailChange.ttl(), TimeDelta::hours(48));
        let issued = DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            TokenPurpose::PasswordReset.expires_at(issued).to_rfc3339(),
            "2026-03-01T10:30:00+00:00"
        );
        for purpose in TokenPurpose::ALL {
            assert_eq!(TokenPurpose::from_storage(purpose.as_str()), Some(purpose));
        }
        assert_eq!(TokenPurpose::from_storage("reset"), None);
    }

    #[test]
    fn refresh_tokens_work_the_same_way() {
        let token = RefreshToken::generate().unwrap();
        assert_eq!(token.as_str().len(), 43);
        assert_eq!(
            RefreshToken::parse(token.as_str()).unwrap().hash(),
            token.hash()
        );
        assert_ne!(RefreshToken::generate().unwrap(), token);
        assert_eq!(RefreshToken::TTL, TimeDelta::days(14));
        // Same value, same hash, whichever kind: the stores keep them in separate tables.
        assert_eq!(
            OneTimeToken::parse(token.as_str()).unwrap().hash(),
            token.hash()
        );
    }
}
