//! The ID77 identity service: accounts, member organisations, registration, passwords and
//! one-time tokens.
//!
//! For now the library holds the rules only, with no I/O: [`domain`] (values parsed at the edge,
//! the registration form, account roles and statuses), [`password`] (strength policy and
//! argon2id hashing) and [`token`] (one-time and refresh tokens, stored hashed). The gRPC
//! service and the store build on these types. Access tokens (JWT) are in `id77_kit::auth`,
//! since every service verifies them.

pub mod domain;
pub mod password;
pub mod token;
