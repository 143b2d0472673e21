//! The platform's pages that mails link to, defined once: the notifications service builds
//! the links with them and the gateway's router serves them, so neither can move alone.

/// Confirms the e-mail address of a registration (`?token=`).
pub const CONFIRM_REGISTRATION: &str = "/inscription/confirmer";
/// Sets the password of an approved or staff account (`?token=`).
pub const ACCEPT_INVITATION: &str = "/invitation";
/// Chooses a new password after a reset request (`?token=`).
pub const RESET_PASSWORD: &str = "/reinitialiser";
/// Confirms a new e-mail address of an account (`?token=`).
pub const CONFIRM_EMAIL_CHANGE: &str = "/compte/email/confirmer";
