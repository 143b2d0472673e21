//! The French e-mails, one per event type: what each says and where its button leads.

use askama::Template;
use id77_kit::links;
use id77_proto::events::v1 as ev;
use prost::Message as _;

use crate::mail::Mail;

/// A call to action: the button of the HTML mail, the link of the text one.
pub struct Action {
    pub label: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "mail.txt")]
struct TextMail<'a> {
    greeting: &'a str,
    paragraphs: &'a [String],
    action: &'a Option<Action>,
    after: &'a [String],
}

#[derive(Template)]
#[template(path = "mail.html")]
struct HtmlMail<'a> {
    subject: &'a str,
    greeting: &'a str,
    paragraphs: &'a [String],
    action: &'a Option<Action>,
    after: &'a [String],
}

/// What a mail says, before rendering.
pub struct Content {
    pub to: ev::Recipient,
    pub subject: String,
    pub paragraphs: Vec<String>,
    pub action: Option<Action>,
    pub after: Vec<String>,
}

impl Content {
    pub fn render(&self) -> Result<Mail, askama::Error> {
        let greeting = if self.to.display_name.trim().is_empty() {
            "Bonjour,".to_owned()
        } else {
            format!("Bonjour {},", self.to.display_name.trim())
        };
        let text = TextMail {
            greeting: &greeting,
            paragraphs: &self.paragraphs,
            action: &self.action,
            after: &self.after,
        }
        .render()?;
        let html = HtmlMail {
            subject: &self.subject,
            greeting: &greeting,
            paragraphs: &self.paragraphs,
            action: &self.action,
            after: &self.after,
        }
        .render()?;
        Ok(Mail {
            to: self.to.email.clone(),
            to_name: self.to.display_name.clone(),
            subject: self.subject.clone(),
            text,
            html,
        })
    }

    /// The link of the call to action, if any.
    pub fn link(&self) -> Option<&str> {
        self.action.as_ref().map(|a| a.url.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("event payload does not decode: {0}")]
    Decode(#[from] prost::DecodeError),
    #[error("event has no recipient")]
    NoRecipient,
}

fn link(public_url: &str, path: &str, token: &str) -> String {
    let token: String = url_encode(token);
    format!("{}{path}?token={token}", public_url.trim_end_matches('/'))
}

/// Tokens are URL-safe base64 already; encode anyway so that a change there cannot break links.
fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn recipient(recipient: Option<ev::Recipient>) -> Result<ev::Recipient, ContentError> {
    recipient
        .filter(|r| !r.email.is_empty())
        .ok_or(ContentError::NoRecipient)
}

/// The mails an event causes (none for the event types that send no mail).
pub fn mails_for(
    kind: &str,
    payload: &[u8],
    public_url: &str,
) -> Result<Vec<Content>, ContentError> {
    let contents = match kind {
        "identity.registration.submitted.v1" => {
            let e = ev::RegistrationSubmitted::decode(payload)?;
            vec![Content {
                to: recipient(e.recipient)?,
                subject: "Confirmez votre adresse e-mail – inscription ID77".to_owned(),
                paragraphs: vec![
                    format!(
                        "Vous avez demandé l'inscription de « {} » sur la plateforme ID77 avec l'identifiant « {} ».",
                        e.organisation_name, e.identifier
                    ),
                    "Pour continuer, confirmez votre adresse e-mail. Ce lien est valable 48 heures.".to_owned(),
                ],
                action: Some(Action {
                    label: "Confirmer mon adresse e-mail".to_owned(),
                    url: link(public_url, links::CONFIRM_REGISTRATION, &e.confirmation_token),
                }),
                after: vec!["Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : aucun compte ne sera créé.".to_owned()],
            }]
        }
        "identity.registration.duplicate.v1" => {
            let e = ev::RegistrationDuplicate::decode(payload)?;
            vec![Content {
                to: recipient(e.recipient)?,
                subject: "Demande d'inscription avec votre adresse e-mail – ID77".to_owned(),
                paragraphs: vec![
                    "Une demande d'inscription à la plateforme ID77 vient d'être faite avec votre adresse e-mail.".to_owned(),
                    format!("Cette adresse est déjà celle du compte dont l'identifiant est « {} » : aucune nouvelle inscription n'a été enregistrée.", e.identifier),
                    "Si c'était vous, inutile de vous inscrire à nouveau : connectez-vous avec cet identifiant, ou choisissez un nouveau mot de passe si vous l'avez oublié.".to_owned(),
                ],
                action: Some(Action {
                    label: "Choisir un nouveau mot de passe".to_owned(),
                    url: format!("{}/mot-de-passe-oublie", public_url.trim_end_matches('/')),
                }),
                after: vec!["Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre compte n'a pas changé.".to_owned()],
            }]
        }
        "identity.registration.identifier_taken.v1" => {
            let e = ev::RegistrationIdentifierTaken::decode(payload)?;
            vec![Content {
                to: recipient(e.recipient)?,
                subject: "Votre demande d'inscription à ID77 n'a pas été enregistrée".to_owned(),
                paragraphs: vec![
                    format!(
                        "Vous avez demandé l'inscription de « {} » avec l'identifiant « {} », mais cet identifiant est déjà utilisé par un autre compte : la demande n'a pas été enregistrée.",
                        e.organisation_name, e.identifier
                    ),
                    "Recommencez l'inscription en choisissant un autre identifiant.".to_owned(),
                ],
                action: Some(Action {
                    label: "Recommencer l'inscription".to_owned(),
                    url: format!("{}/inscription", public_url.trim_end_matches('/')),
                }),
                after: vec!["Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : aucun compte ne sera créé.".to_owned()],
            }]
        }
        "identity.registration.confirmed.v1" => {
            let e = ev::RegistrationConfirmed::decode(payload)?;
            vec![Content {
                to: recipient(e.recipient)?,
                subject: "Votre demande d'inscription à ID77 a bien été reçue".to_owned(),
                paragraphs: vec![
                    format!("Votre adresse e-mail est confirmée et la demande d'inscription de « {} » est enregistrée.", e.organisation_name),
                    "ID77 vérifie maintenant que votre demande d'adhésion administrative est en cours ou finalisée. Vous recevrez ensuite un e-mail pour choisir votre mot de passe et vous connecter.".to_owned(),
                ],
                action: None,
                after: vec![],
            }]
        }
        "identity.registration.approved.v1" => {
            let e = ev::RegistrationApproved::decode(payload)?;
            vec![Content {
                to: recipient(e.recipient)?,
                subject: "Votre inscription à ID77 est validée".to_owned(),
                paragraphs: vec![
                    format!("ID77 a validé l'inscription de « {} ».", e.organisation_name),
                    format!("Votre identifiant de connexion est : {}", e.identifier),
                    "Choisissez maintenant votre mot de passe grâce au lien ci-dessous, valable 7 jours et utilisable une seule fois.".to_owned(),
                ],
                action: Some(Action {
                    label: "Choisir mon mot de passe".to_owned(),
                    url: link(public_url, links::ACCEPT_INVITATION, &e.invitation_token),
                }),
                after: vec!["Pensez ensuite à renseigner vos référents techniques dans le profil de votre collectivité : ils sont nécessaires pour faire une demande.".to_owned()],
            }]
        }
        "identity.registration.rejected.v1" => {
            let e = ev::RegistrationRejected::decode(payload)?;
            vec![Content {
                to: recipient(e.recipient)?,
                subject: "Votre demande d'inscription à ID77".to_owned(),
                paragraphs: vec![
                    format!("ID77 n'a pas pu valider l'inscription de « {} », pour la raison suivante :", e.organisation_name),
                    e.reason,
                    "Pour toute question, contactez ID77 au 01 64 14 73 56 ou à id77@departement77.fr.".to_owned(),
                ],
                action: None,
                after: vec![],
            }]
        }
        "identity.account.invited.v1" => {
            let e = ev::AccountInvited::decode(payload)?;
            let role = if e.role == "admin" {
                "administrateur"
            } else {
                "chef de file"
            };
            vec![Content {
                to: recipient(e.recipient)?,
                subject: "Votre compte sur la plateforme ID77".to_owned(),
                paragraphs: vec![
                    format!("Un compte {role} a été créé pour vous sur la plateforme ID77, avec l'identifiant « {} ».", e.identifier),
                    "Choisissez votre mot de passe grâce au lien ci-dessous, valable 7 jours et utilisable une seule fois.".to_owned(),
                ],
                action: Some(Action {
                    label: "Choisir mon mot de passe".to_owned(),
                    url: link(public_url, links::ACCEPT_INVITATION, &e.invitation_token),
                }),
                after: vec![],
            }]
        }
        "identity.password.reset_requested.v1" => {
            let e = ev::PasswordResetRequested::decode(payload)?;
            vec![Content {
                to: recipient(e.recipient)?,
                subject: "Réinitialisation de votre mot de passe ID77".to_owned(),
                paragraphs: vec![
                    format!("Une réinitialisation du mot de passe du compte « {} » a été demandée.", e.identifier),
                    "Ce lien est valable 30 minutes et ne peut servir qu'une fois.".to_owned(),
                ],
                action: Some(Action {
                    label: "Choisir un nouveau mot de passe".to_owned(),
                    url: link(public_url, links::RESET_PASSWORD, &e.reset_token),
                }),
                after: vec!["Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe actuel reste valable.".to_owned()],
            }]
        }
        "identity.password.changed.v1" => {
            let e = ev::PasswordChanged::decode(payload)?;
            vec![Content {
                to: recipient(e.recipient)?,
                subject: "Votre mot de passe ID77 a été modifié".to_owned(),
                paragraphs: vec![
                    "Le mot de passe de votre compte ID77 vient d'être modifié ; vos autres sessions ont été fermées.".to_owned(),
                    "Si vous n'êtes pas à l'origine de ce changement, contactez ID77 sans attendre au 01 64 14 73 56.".to_owned(),
                ],
                action: None,
                after: vec![],
            }]
        }
        "identity.email.change_requested.v1" => {
            let e = ev::EmailChangeRequested::decode(payload)?;
            let new_recipient = recipient(e.new_recipient)?;
            let mut mails = vec![Content {
                to: new_recipient.clone(),
                subject: "Confirmez votre nouvelle adresse e-mail – ID77".to_owned(),
                paragraphs: vec![
                    "Vous avez demandé à utiliser cette adresse pour votre compte ID77.".to_owned(),
                    "Confirmez-la grâce au lien ci-dessous, valable 48 heures. D'ici là, votre ancienne adresse reste en service.".to_owned(),
                ],
                action: Some(Action {
                    label: "Confirmer ma nouvelle adresse".to_owned(),
                    url: link(public_url, links::CONFIRM_EMAIL_CHANGE, &e.confirmation_token),
                }),
                after: vec![],
            }];
            if let Some(old) = e.old_recipient.filter(|r| !r.email.is_empty()) {
                mails.push(Content {
                    to: old,
                    subject: "Changement d'adresse e-mail demandé – ID77".to_owned(),
                    paragraphs: vec![
                        format!("Une demande de remplacement de cette adresse par {} a été faite sur votre compte ID77.", new_recipient.email),
                        "Si vous n'en êtes pas à l'origine, changez votre mot de passe et contactez ID77.".to_owned(),
                    ],
                    action: None,
                    after: vec![],
                });
            }
            mails
        }
        "identity.email.changed.v1" => {
            let e = ev::EmailChanged::decode(payload)?;
            vec![Content {
                to: recipient(e.old_recipient)?,
                subject: "Votre adresse e-mail ID77 a été modifiée".to_owned(),
                paragraphs: vec![format!(
                    "Votre compte ID77 utilise désormais l'adresse {}. Les prochains messages y seront envoyés.",
                    e.new_email
                )],
                action: None,
                after: vec![],
            }]
        }
        _ => Vec::new(),
    };
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipient() -> Option<ev::Recipient> {
        Some(ev::Recipient {
            email: "mairie@macommune.fr".into(),
            display_name: "Anne Martin".into(),
        })
    }

    #[test]
    fn the_confirmation_mail_links_to_the_platform_with_its_token() {
        let payload = ev::RegistrationSubmitted {
            account_id: "a".into(),
            organisation_name: "Commune de Samois".into(),
            identifier: "samois".into(),
            recipient: recipient(),
            confirmation_token: "abc_DEF-123".into(),
        }
        .encode_to_vec();
        let contents = mails_for(
            "identity.registration.submitted.v1",
            &payload,
            "https://id77.example/",
        )
        .unwrap();
        assert_eq!(contents.len(), 1);
        assert_eq!(
            contents[0].link(),
            Some("https://id77.example/inscription/confirmer?token=abc_DEF-123")
        );
        let mail = contents[0].render().unwrap();
        assert_eq!(mail.to, "mairie@macommune.fr");
        assert!(mail.text.starts_with("Bonjour Anne Martin,"));
        assert!(
            mail.text
                .contains("https://id77.example/inscription/confirmer?token=abc_DEF-123")
        );
        assert!(
            mail.html
                .contains("href=\"https://id77.example/inscription/confirmer?token=abc_DEF-123\"")
        );
        assert!(mail.html.contains("Commune de Samois"));
    }

    #[test]
    fn a_duplicate_registration_tells_the_holder_its_identifier_and_how_to_reset() {
        let payload = ev::RegistrationDuplicate {
            account_id: "a".into(),
            identifier: "MairieMelun".into(),
            recipient: Some(ev::Recipient {
                email: "dgs@ville-melun.fr".into(),
                display_name: "Anne Durand".into(),
            }),
        }
        .encode_to_vec();
        let contents = mails_for(
            "identity.registration.duplicate.v1",
            &payload,
            "https://id77.example/",
        )
        .unwrap();
        assert_eq!(contents.len(), 1);
        let mail = contents[0].render().unwrap();
        assert_eq!(mail.to, "dgs@ville-melun.fr");
        assert!(mail.text.contains("« MairieMelun »"), "{}", mail.text);
        assert_eq!(
            contents[0].link(),
            Some("https://id77.example/mot-de-passe-oublie")
        );
    }

    #[test]
    fn a_taken_identifier_sends_the_new_address_back_to_the_form() {
        let payload = ev::RegistrationIdentifierTaken {
            organisation_name: "Commune d'Avon".into(),
            identifier: "avon".into(),
            recipient: Some(ev::Recipient {
                email: "mairie@avon.example".into(),
                display_name: "Jean Martin".into(),
            }),
        }
        .encode_to_vec();
        let contents = mails_for(
            "identity.registration.identifier_taken.v1",
            &payload,
            "https://id77.example",
        )
        .unwrap();
        let mail = contents[0].render().unwrap();
        assert_eq!(mail.to, "mairie@avon.example");
        assert!(mail.text.contains("« avon »"), "{}", mail.text);
        assert!(mail.text.contains("déjà utilisé"), "{}", mail.text);
        assert_eq!(contents[0].link(), Some("https://id77.example/inscription"));
    }

    #[test]
    fn html_mails_escape_what_people_typed() {
        let payload = ev::RegistrationRejected {
            account_id: "a".into(),
            organisation_name: "<script>".into(),
            recipient: recipient(),
            reason: "Adhésion <b>non</b> votée".into(),
        }
        .encode_to_vec();
        let mail = mails_for("identity.registration.rejected.v1", &payload, "http://x").unwrap()[0]
            .render()
            .unwrap();
        assert!(!mail.html.contains("<script>"));
        assert!(!mail.html.contains("<b>non</b>"));
        assert!(mail.html.contains("non"));
        assert!(mail.text.contains("Adhésion <b>non</b> votée"));
    }

    #[test]
    fn an_e_mail_change_writes_to_both_addresses() {
        let payload = ev::EmailChangeRequested {
            account_id: "a".into(),
            new_recipient: Some(ev::Recipient {
                email: "nouvelle@macommune.fr".into(),
                display_name: "Anne".into(),
            }),
            old_recipient: recipient(),
            confirmation_token: "t".into(),
        }
        .encode_to_vec();
        let contents =
            mails_for("identity.email.change_requested.v1", &payload, "http://x").unwrap();
        let to: Vec<_> = contents.iter().map(|c| c.to.email.as_str()).collect();
        assert_eq!(to, ["nouvelle@macommune.fr", "mairie@macommune.fr"]);
        assert!(
            contents[1].link().is_none(),
            "no token goes to the old address"
        );
    }

    #[test]
    fn unknown_events_send_nothing_and_broken_payloads_are_errors() {
        assert!(
            mails_for("catalog.offer.published.v1", b"", "http://x")
                .unwrap()
                .is_empty()
        );
        assert!(mails_for("identity.password.changed.v1", &[0xff, 0xff], "http://x").is_err());
    }
}
