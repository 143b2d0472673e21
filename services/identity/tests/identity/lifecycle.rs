//! Registration through to the first login: validation, confirmation, approval, invitation,
//! and the one-time links' rules.

use chrono::{TimeDelta, Utc};
use id77_identity::{events, token::OneTimeToken};
use id77_kit::violations::field_violations;
use id77_proto::{events::v1 as ev, identity::v1 as pb};
use prost::Message as _;
use tonic::Code;

use crate::support::{
    PASSWORD, assert_code, authed, decode, refused, registration, spawn_identity,
};

#[tokio::test]
async fn registration_errors_name_their_fields() {
    let mut app = spawn_identity().await;
    let mut request = registration("mairie melun", "pas-une-adresse");
    request.siret = "217 702 885 00014".into();
    request.population = 0;
    request.canton = "Paris".into();
    request.categories = vec![];
    request.representative = Some(pb::Representative {
        title: "roi".into(),
        civility: "homme".into(),
        first_name: "Louis14".into(),
        last_name: "Vogel".into(),
    });
    request.admin_referent = None;
    request.phone = "12".into();
    let status = refused(app.client.register(request).await);
    assert_code(&status, Code::InvalidArgument);
    let fields: Vec<String> = field_violations(&status)
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(
        fields,
        [
            "categories",
            "siret",
            "population",
            "canton",
            "representative.title",
            "representative.first_name",
            "admin_referent.civility",
            "admin_referent.first_name",
            "admin_referent.last_name",
            "identifier",
            "email",
            "phone",
        ]
    );
    assert!(status.message().contains("SIRET"), "{}", status.message());
    // Nothing was written.
    assert!(app.events(events::REGISTRATION_SUBMITTED).await.is_empty());
}

#[tokio::test]
async fn the_whole_registration_life_cycle() {
    let mut app = spawn_identity().await;
    let login = |identifier: &str, password: &str| pb::LoginRequest {
        identifier: identifier.into(),
        password: password.into(),
        client_address: String::new(),
    };
    app.client
        .register(registration("MairieMelun", "dgs@Ville-Melun.fr"))
        .await
        .expect("registering");
    let submitted = app.events(events::REGISTRATION_SUBMITTED).await;
    assert_eq!(submitted.len(), 1);
    assert_eq!(submitted[0].source, "id77-identity");
    assert_eq!(submitted[0].actor, None);
    let message: ev::RegistrationSubmitted = decode(&submitted[0]);
    assert_eq!(message.organisation_name, "Commune de Melun");
    assert_eq!(
        message.recipient.as_ref().unwrap().email,
        "dgs@ville-melun.fr"
    );
    assert_eq!(
        message.recipient.as_ref().unwrap().display_name,
        "Anne-Sophie N'Guessan"
    );
    let account_id = message.account_id.clone();

    // Not active yet: refused like a wrong password.
    let status = refused(app.client.login(login("MairieMelun", PASSWORD)).await);
    assert_code(&status, Code::Unauthenticated);
    assert_eq!(status.message(), "Identifiant ou mot de passe incorrect.");

    app.client
        .confirm_email(pb::ConfirmEmailRequest {
            token: message.confirmation_token.clone(),
        })
        .await
        .expect("confirming the address");
    let confirmed: ev::RegistrationConfirmed =
        decode(&app.events(events::REGISTRATION_CONFIRMED).await[0]);
    assert_eq!(confirmed.account_id, account_id);

    let admin = app.admin_token().await;
    let listed = app
        .client
        .list_registrations(authed(pb::ListRegistrationsRequest::default(), &admin))
        .await
        .expect("listing")
        .into_inner()
        .registrations;
    assert_eq!(listed.len(), 1);
    let account = listed[0].account.as_ref().unwrap();
    assert_eq!(account.id, account_id);
    assert_eq!(account.status(), pb::AccountStatus::PendingApproval);
    assert_eq!(account.organisation_name, "Commune de Melun");
    let organisation = listed[0].organisation.as_ref().unwrap();
    assert_eq!(organisation.siret, "21770288500013");
    assert_eq!(organisation.canton, "Melun");
    assert_eq!(
        organisation.representative.as_ref().unwrap().last_name,
        "Vogel"
    );

    let approved = app
        .client
        .approve_registration(authed(
            pb::ApproveRegistrationRequest {
                account_id: account_id.clone(),
            },
            &admin,
        ))
        .await
        .expect("approving")
        .into_inner();
    assert_eq!(approved.status(), pb::AccountStatus::Invited);
    let approval = &app.events(events::REGISTRATION_APPROVED).await[0];
    assert!(approval.actor.is_some(), "the admin is the actor");
    let status = refused(app.client.login(login("MairieMelun", PASSWORD)).await);
    assert_eq!(status.message(), "Identifiant ou mot de passe incorrect.");

    let invitation = app.invitation_token(&account_id).await;
    // The password policy applies, with the field named.
    let status = refused(
        app.client
            .accept_invitation(pb::AcceptInvitationRequest {
                token: invitation.clone(),
                password: "mairiemelun2024!".into(),
            })
            .await,
    );
    assert_code(&status, Code::InvalidArgument);
    assert_eq!(field_violations(&status)[0].field, "password");
    app.client
        .accept_invitation(pb::AcceptInvitationRequest {
            token: invitation.clone(),
            password: PASSWORD.into(),
        })
        .await
        .expect("accepting the invitation");

    for identifier in ["MairieMelun", "mairiemelun", "DGS@ville-melun.fr"] {
        let session = app.login(identifier, PASSWORD).await;
        let account = session.account.unwrap();
        assert_eq!(account.status(), pb::AccountStatus::Active);
        assert_eq!(account.role(), pb::Role::Member);
        let claims = crate::support::signer()
            .verifier()
            .unwrap()
            .verify(&session.access_token)
            .expect("a valid access token");
        assert_eq!(claims.sub.to_string(), account_id);
        assert_eq!(
            claims.org.map(|o| o.to_string()),
            Some(account.organisation_id.clone())
        );
        assert_eq!(claims.role, id77_kit::auth::Role::Member);
        assert_eq!(claims.name, "Anne-Sophie N'Guessan");
        assert!(claims.exp - claims.iat <= 15 * 60);
        app.client
            .logout(pb::LogoutRequest {
                refresh_token: session.refresh_token.clone(),
            })
            .await
            .expect("logging out");
        let status = refused(
            app.client
                .refresh(pb::RefreshRequest {
                    refresh_token: session.refresh_token,
                })
                .await,
        );
        assert_code(&status, Code::Unauthenticated);
    }
}

#[tokio::test]
async fn registering_a_taken_identifier_or_address_answers_the_same() {
    let mut app = spawn_identity().await;
    app.client
        .register(registration("MairieMelun", "dgs@ville-melun.fr"))
        .await
        .expect("first registration");
    for (identifier, email) in [
        ("MAIRIEMELUN", "autre@ville-melun.fr"),
        ("autremairie", "DGS@ville-melun.fr"),
        // The bootstrap administrator's identifier.
        ("admin", "quelquun@ville-melun.fr"),
    ] {
        let response = app
            .client
            .register(registration(identifier, email))
            .await
            .unwrap_or_else(|s| panic!("{identifier}: {s:?}"));
        assert_eq!(response.into_inner(), pb::RegisterResponse {});
    }
    // Only the first one made an account and sent a link.
    assert_eq!(app.events(events::REGISTRATION_SUBMITTED).await.len(), 1);
    // The known address's holder is told, with the identifier it has; each new address is
    // told that its identifier is taken. Nobody else learns anything.
    let duplicates = app.events(events::REGISTRATION_DUPLICATE).await;
    assert_eq!(duplicates.len(), 1);
    let notice = ev::RegistrationDuplicate::decode(duplicates[0].payload.as_slice()).unwrap();
    assert_eq!(notice.identifier, "MairieMelun");
    assert_eq!(notice.recipient.unwrap().email, "dgs@ville-melun.fr");
    let taken: Vec<(String, String)> = app
        .events(events::REGISTRATION_IDENTIFIER_TAKEN)
        .await
        .iter()
        .map(|e| {
            let m = ev::RegistrationIdentifierTaken::decode(e.payload.as_slice()).unwrap();
            (m.identifier, m.recipient.unwrap().email)
        })
        .collect();
    assert_eq!(
        taken,
        [
            ("MAIRIEMELUN".to_owned(), "autre@ville-melun.fr".to_owned()),
            ("admin".to_owned(), "quelquun@ville-melun.fr".to_owned()),
        ]
    );
}

#[tokio::test]
async fn links_are_single_use_and_expire() {
    let mut app = spawn_identity().await;
    app.client
        .register(registration("MairieMelun", "dgs@ville-melun.fr"))
        .await
        .unwrap();
    app.client
        .register(registration("MairieMeaux", "dgs@meaux.fr"))
        .await
        .unwrap();
    let melun = app.confirmation_token("MairieMelun").await;
    let meaux = app.confirmation_token("MairieMeaux").await;

    let confirm = |token: &str| pb::ConfirmEmailRequest {
        token: token.to_owned(),
    };
    app.client
        .confirm_email(confirm(&melun))
        .await
        .expect("first use");
    let reused = refused(app.client.confirm_email(confirm(&melun)).await);
    assert_code(&reused, Code::FailedPrecondition);
    let garbage = refused(app.client.confirm_email(confirm("not-a-token")).await);
    let unknown = refused(
        app.client
            .confirm_email(confirm(OneTimeToken::generate().unwrap().as_str()))
            .await,
    );
    // Expired: moved into the past in the database.
    let hash = OneTimeToken::parse(&meaux).unwrap().hash();
    sqlx::query("UPDATE one_time_tokens SET expires_at = $1 WHERE token_hash = $2")
        .bind(Utc::now() - TimeDelta::minutes(1))
        .bind(&hash)
        .execute(app.store.pool())
        .await
        .unwrap();
    let expired = refused(app.client.confirm_email(confirm(&meaux)).await);
    // One answer for every kind of bad link.
    for status in [&garbage, &unknown, &expired] {
        assert_code(status, Code::FailedPrecondition);
        assert_eq!(status.message(), reused.message());
    }
    // A confirmation token is not an invitation.
    let status = refused(
        app.client
            .accept_invitation(pb::AcceptInvitationRequest {
                token: melun,
                password: PASSWORD.into(),
            })
            .await,
    );
    assert_code(&status, Code::FailedPrecondition);
    // Tokens are stored hashed: the database never holds one in clear.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM one_time_tokens")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert!(stored.contains(&hash));
    assert!(!stored.contains(&meaux));
}
