//! The messages shown once after an action.

/// The messages shown once after an action (`?ok=<code>`): fixed sentences, so nothing the
/// user typed is ever echoed from the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    AccountActivated,
    PasswordReset,
    ResetSent,
    AccountSaved,
    EmailPending,
    PasswordChanged,
    EmailChanged,
    ProfileSaved,
    LogoSaved,
    ContactAdded,
    ContactRemoved,
    FavoriteRemoved,
    RegistrationApproved,
    RegistrationRejected,
    StaffCreated,
}

impl Flash {
    const ALL: [Flash; 15] = [
        Flash::AccountActivated,
        Flash::PasswordReset,
        Flash::ResetSent,
        Flash::AccountSaved,
        Flash::EmailPending,
        Flash::PasswordChanged,
        Flash::EmailChanged,
        Flash::ProfileSaved,
        Flash::LogoSaved,
        Flash::ContactAdded,
        Flash::ContactRemoved,
        Flash::FavoriteRemoved,
        Flash::RegistrationApproved,
        Flash::RegistrationRejected,
        Flash::StaffCreated,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Flash::AccountActivated => "compte-active",
            Flash::PasswordReset => "mot-de-passe-reinitialise",
            Flash::ResetSent => "lien-envoye",
            Flash::AccountSaved => "compte-enregistre",
            Flash::EmailPending => "email-a-confirmer",
            Flash::PasswordChanged => "mot-de-passe-modifie",
            Flash::EmailChanged => "email-modifie",
            Flash::ProfileSaved => "profil-enregistre",
            Flash::LogoSaved => "logo-enregistre",
            Flash::ContactAdded => "contact-ajoute",
            Flash::ContactRemoved => "contact-supprime",
            Flash::FavoriteRemoved => "favori-supprime",
            Flash::RegistrationApproved => "inscription-validee",
            Flash::RegistrationRejected => "inscription-refusee",
            Flash::StaffCreated => "compte-cree",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Flash::AccountActivated => {
                "Votre mot de passe est enregistré et votre compte est activé : connectez-vous avec votre identifiant."
            }
            Flash::PasswordReset => {
                "Votre mot de passe a été modifié : connectez-vous avec le nouveau."
            }
            Flash::ResetSent => crate::api::accounts::RESET_SENT,
            Flash::AccountSaved => "Vos informations de connexion sont enregistrées.",
            Flash::EmailPending => {
                "Vos informations sont enregistrées. Un lien de confirmation vient d'être envoyé à la nouvelle adresse e-mail : elle remplacera l'actuelle une fois confirmée."
            }
            Flash::PasswordChanged => {
                "Votre mot de passe est modifié. Vos autres sessions ouvertes ont été fermées."
            }
            Flash::EmailChanged => "Votre nouvelle adresse e-mail est confirmée.",
            Flash::ProfileSaved => "Le profil de votre collectivité est enregistré.",
            Flash::LogoSaved => "Le logo de votre collectivité est enregistré.",
            Flash::ContactAdded => "Le contact technique est ajouté.",
            Flash::ContactRemoved => "Le contact technique est supprimé.",
            Flash::FavoriteRemoved => "L'offre est retirée de vos favoris.",
            Flash::RegistrationApproved => {
                "Inscription validée : une invitation à choisir un mot de passe a été envoyée par e-mail."
            }
            Flash::RegistrationRejected => {
                "Inscription refusée : le motif a été envoyé par e-mail au demandeur."
            }
            Flash::StaffCreated => {
                "Compte créé : une invitation à choisir un mot de passe a été envoyée par e-mail."
            }
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|flash| flash.code() == code)
    }

    /// `path` with this message to show (`path` has no query string of its own, or has one
    /// without `ok`).
    pub fn url(self, path: &str) -> String {
        let (path, fragment) = path
            .split_once('#')
            .map_or((path, None), |(p, f)| (p, Some(f)));
        let separator = if path.contains('?') { '&' } else { '?' };
        match fragment {
            Some(fragment) => format!("{path}{separator}ok={}#{fragment}", self.code()),
            None => format!("{path}{separator}ok={}", self.code()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_codes_round_trip_and_keep_the_fragment() {
        for flash in Flash::ALL {
            assert_eq!(Flash::parse(flash.code()), Some(flash));
        }
        assert_eq!(Flash::parse("<b>x</b>"), None);
        assert_eq!(
            Flash::ContactAdded.url("/compte/profil#contacts"),
            "/compte/profil?ok=contact-ajoute#contacts"
        );
        assert_eq!(
            Flash::EmailChanged.url("/compte"),
            "/compte?ok=email-modifie"
        );
    }
}
