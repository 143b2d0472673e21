//! Passwords: the strength policy, and argon2id hashing and verification.
//!
//! A password is never logged, stored or sent anywhere in clear: [`Password`] has no `Display`
//! and its `Debug` is redacted; only its argon2id hash (a PHC string) is stored.

use std::fmt;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version,
};
use id77_kit::violations::FieldViolation;
use unicode_normalization::UnicodeNormalization as _;
use zxcvbn::{Score, zxcvbn};

/// Field name of the password in the forms.
const FIELD: &str = "password";
/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in characters: room for any passphrase, and a bound on the work
/// an attacker can ask of the strength estimator.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// argon2id with OWASP's first recommended setting: 19 MiB of memory, 2 passes, 1 lane.
const PARAMS: Params = match Params::new(19_456, 2, 1, None) {
    Ok(params) => params,
    // Evaluated at compile time: bad constants fail the build, never a request.
    Err(_) => panic!("invalid argon2 parameters"),
};
/// zxcvbn's dictionaries are English: it misses the AZERTY keyboard rows and the passwords
/// French people favour, and knows nothing of this platform. These words are given to it as
/// extra user inputs (guessed first), from the published lists of common French passwords and
/// the words every account here shares.
const FRENCH_WORDS: &[&str] = &[
    "azerty",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "motdepasse",
    "bonjour",
    "soleil",
    "doudou",
    "loulou",
    "chouchou",
    "jetaime",
    "marseille",
    "mairie",
    "commune",
    "collectivite",
    "seineetmarne",
    "departement",
    "id77",
];
/// Bytes of random salt per hash (the PHC recommendation).
const SALT_LEN: usize = 16;

/// A hash of a random password nobody knows, made with [`PARAMS`]: [`dummy_verify`] checks
/// against it so that an unknown account costs the same time as a known one. A test checks that
/// it matches the current parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$57mFLlK/Z+1D3pRYbL6TMw$\
                          7vKec5RlmcSqzmmnTC25PKdGhJNyRhWK/iJSN2uLB5s";

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS)
}

/// NFC, so that "é" typed as one character or as "e" + accent (keyboards and operating systems
/// differ) is the same password.
fn normalize(candidate: &str) -> String {
    candidate.nfc().collect()
}

/// Failure to hash: the system's random generator or argon2 itself failed, which is a server
/// fault, not the user's.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The operating system gave no random salt.
    #[error("no random salt from the operating system: {0}")]
    Random(#[from] getrandom::Error),
    /// argon2 refused to hash.
    #[error("argon2 hashing failed: {0}")]
    Hash(#[from] argon2::password_hash::Error),
}

/// A new password that passed the policy, ready to be hashed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// Checks a new password against the policy: 12 to 128 characters (any Unicode, counted as
    /// characters), not containing the identifier (whatever the case), and rated at least 3 of 4
    /// by zxcvbn, which also knows the identifier, the e-mail's local part and the `names` given
    /// (first and last names, organisation…) as words to guess from.
    pub fn parse(
        candidate: &str,
        identifier: &str,
        email: &str,
        names: &[&str],
    ) -> Result<Self, FieldViolation> {
        let password = normalize(candidate);
        let length = password.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(FieldViolation::new(
                FIELD,
                format!(
                    "Le mot de passe doit comporter au moins {MIN_PASSWORD_CHARS} caractères : \
                     une phrase de quelques mots est facile à retenir."
                ),
            ));
        }
        if length > MAX_PASSWORD_CHARS {
            return Err(FieldViolation::new(
                FIELD,
                format!("Le mot de passe doit comporter au plus {MAX_PASSWORD_CHARS} caractères."),
            ));
        }
        let identifier = identifier.trim().to_lowercase();
        if !identifier.is_empty() && password.to_lowercase().contains(&identifier) {
            return Err(FieldViolation::new(
                FIELD,
                "Le mot de passe ne doit pas contenir votre identifiant.",
            ));
        }
        let local_part = email.trim().rsplit_once('@').map_or("", |(local, _)| local);
        let user_inputs: Vec<&str> = [identifier.as_str(), local_part]
            .into_iter()
            .chain(names.iter().copied())
            .chain(FRENCH_WORDS.iter().copied())
            .map(str::trim)
            .filter(|input| !input.is_empty())
            .collect();
        if zxcvbn(&password, &user_inputs).score() < Score::Three {
            return Err(FieldViolation::new(
                FIELD,
                "Ce mot de passe est trop facile à deviner : allongez-le, ou assemblez plusieurs \
                 mots sans rapport entre eux, sans votre nom ni celui de la collectivité.",
            ));
        }
        Ok(Self(password))
    }

    /// The argon2id hash to store, as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`), with a
    /// fresh random salt. Takes tens of milliseconds by design: call it from a blocking task.
    pub fn hash(&self) -> Result<String, PasswordError> {
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt)?;
        let hash = hasher().hash_password_with_salt(self.0.as_bytes(), &salt)?;
        Ok(hash.to_string())
    }
}

/// A new hash, with today's parameters, of a password that just verified against an older
/// hash. Not checked against today's strength rules: the password predates them and its owner
/// may keep it. Blocking, like [`Password::hash`].
pub fn rehash(verified: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; SALT_LEN];
    getrandom::fill(&mut salt)?;
    let hash = hasher().hash_password_with_salt(normalize(verified).as_bytes(), &salt)?;
    Ok(hash.to_string())
}

/// Whether `candidate` is the password of `hash`. argon2 compares the outputs in constant time;
/// a hash that does not parse costs a [`dummy_verify`] all the same and answers `false`.
/// Blocking, like [`Password::hash`].
pub fn verify(hash: &str, candidate: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => hasher()
            .verify_password(normalize(candidate).as_bytes(), &parsed)
            .is_ok(),
        Err(_) => {
            dummy_verify(candidate);
            false
        }
    }
}

/// Spends the time of a [`verify`] for a login on an account that does not exist (or has no
/// password yet), so that the response time does not tell which identifiers are registered.
pub fn dummy_verify(candidate: &str) {
    if let Ok(parsed) = PasswordHash::new(DUMMY_HASH) {
        // The answer is irrelevant: only the time spent matters.
        let _ = hasher().verify_password(normalize(candidate).as_bytes(), &parsed);
    }
}

/// Whether a stored hash was made with other parameters than today's: after a successful
/// login, hash the password again and store the new hash.
pub fn needs_rehash(hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => {
            parsed.algorithm.as_str() != Algorithm::Argon2id.as_str()
                || Params::try_from(&parsed).map_or(true, |params| {
                    (params.m_cost(), params.t_cost(), params.p_cost())
                        != (PARAMS.m_cost(), PARAMS.t_cost(), PARAMS.p_cost())
                })
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    const STRONG: &str = "Péniche rouge sous le pont de Melun";

    fn parse(candidate: &str) -> Result<Password, FieldViolation> {
        Password::parse(
            candidate,
            "MairieMelun",
            "jean.dupont@ville-melun.fr",
            &["Jean", "Dupont"],
        )
    }

    fn message(candidate: &str) -> String {
        let violation = parse(candidate).unwrap_err();
        assert_eq!(violation.field, "password");
        violation.message
    }

    #[test]
    fn a_long_unrelated_passphrase_is_accepted() {
        assert!(parse(STRONG).is_ok());
        assert!(parse("tK9#vq2!Lm4@xZ").is_ok());
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(message("Zq!4é").contains("au moins 12"));
        // 11 characters but 22 bytes: still too short.
        assert!(message("éàèùâêîôûëï").contains("au moins 12"));
        // 128 characters accepted, 129 refused.
        let long = "Ω".repeat(64) + &"kj3#Lw9!pQ".repeat(6) + "zyxwvuta";
        assert_eq!(long.chars().count(), 132);
        let at_limit: String = long.chars().take(128).collect();
        assert!(parse(&at_limit).is_ok());
        let over: String = long.chars().take(129).collect();
        assert!(message(&over).contains("au plus 128"));
    }

    #[test]
    fn containing_the_identifier_is_refused_whatever_the_case() {
        assert!(message("xx-mairiemelun-Quarante2!").contains("identifiant"));
        assert!(message("MAIRIEMELUN est ma commune préférée").contains("identifiant"));
    }

    #[test]
    fn guessable_passwords_are_refused() {
        for candidate in [
            "motdepasse123",
            "123456789012",
            "Password1234!",
            "aaaaaaaaaaaaaaa",
            // French habits, which zxcvbn alone rates strong.
            "azertyuiopqsdf",
            "seineetmarne77",
        ] {
            assert!(message(candidate).contains("trop facile"), "{candidate}");
        }
    }

    #[test]
    fn personal_words_count_against_the_password() {
        // Accepted for a stranger, refused for the account whose names and e-mail it uses.
        let personal = "jean.dupont1977";
        assert!(Password::parse(personal, "xyz", "a@b.fr", &[]).is_ok());
        assert!(message(personal).contains("trop facile"));
    }

    #[test]
    fn debug_hides_the_password() {
        let password = parse(STRONG).unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
    }

    #[test]
    fn hash_then_verify() {
        let password = parse(STRONG).unwrap();
        let hash = password.hash().unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains(STRONG));
        assert!(verify(&hash, STRONG));
        assert!(!verify(&hash, "Péniche rouge sous le pont de Meaux"));
        assert!(!verify(&hash, ""));
        // The same password hashes differently each time (random salt).
        assert_ne!(password.hash().unwrap(), hash);
        assert!(!needs_rehash(&hash));
    }

    #[test]
    fn verify_is_insensitive_to_unicode_normalisation() {
        let composed = "Amélie cherche la clé du phare";
        let decomposed = "Ame\u{301}lie cherche la cle\u{301} du phare";
        let hash = parse(composed).unwrap().hash().unwrap();
        assert!(verify(&hash, decomposed));
    }

    #[test]
    fn malformed_hashes_never_verify() {
        for hash in ["", "plain text", "$argon2id$v=19$m=19456,t=2,p=1$"] {
            assert!(!verify(hash, STRONG), "{hash:?}");
            assert!(needs_rehash(hash));
        }
    }

    #[test]
    fn dummy_hash_uses_the_current_parameters() {
        assert!(!needs_rehash(DUMMY_HASH));
        assert!(!verify(DUMMY_HASH, STRONG));
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.salt.map(|salt| salt.len()), Some(SALT_LEN));
    }

    #[test]
    fn needs_rehash_when_parameters_change() {
        let weaker = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        );
        let hash = weaker
            .hash_password_with_salt(b"whatever", &[7; SALT_LEN])
            .unwrap()
            .to_string();
        assert!(needs_rehash(&hash));
        // Still verifies: the parameters are read from the hash.
        assert!(verify(&hash, "whatever"));
        let upgraded = rehash("whatever").unwrap();
        assert!(!needs_rehash(&upgraded));
        assert!(verify(&upgraded, "whatever"));
    }

    fn fastest_of_three(mut f: impl FnMut()) -> Duration {
        (0..3)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .min()
            .unwrap_or_default()
    }

    #[test]
    fn dummy_verify_takes_as_long_as_verify() {
        let hash = parse(STRONG).unwrap().hash().unwrap();
        let known = fastest_of_three(|| {
            assert!(!verify(&hash, "a wrong password"));
        });
        let unknown = fastest_of_three(|| dummy_verify("a wrong password"));
        let ratio = known.as_secs_f64() / unknown.as_secs_f64();
        assert!(
            (0.5..=2.0).contains(&ratio),
            "verify {known:?} vs dummy_verify {unknown:?}"
        );
    }
}
