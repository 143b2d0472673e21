//! "Mon compte": reading and editing the account, the e-mail change, the password change.

use id77_identity::events;
use id77_kit::violations::field_violations;
use id77_proto::{events::v1 as ev, identity::v1 as pb};
use tonic::{Code, Request};

use crate::support::{
    OTHER_PASSWORD, PASSWORD, assert_code, authed, decode, refused, registration, spawn_identity,
};

#[tokio::test]
async fn calls_without_a_valid_token_are_unauthenticated() {
    let mut app = spawn_identity().await;
    assert_code(
        &refused(app.client.get_me(pb::GetMeRequest {}).await),
        Code::Unauthenticated,
    );
    let mut request = Request::new(pb::GetOrganisationRequest {});
    request
        .metadata_mut()
        .insert("authorization", "Bearer not.a.jwt".parse().unwrap());
    assert_code(
        &refused(app.client.get_organisation(request).await),
        Code::Unauthenticated,
    );
}

#[tokio::test]
async fn names_and_phone_change_at_once_and_a_new_address_is_confirmed_first() {
    let mut app = spawn_identity().await;
    let session = app.active_member("MairieMelun", "dgs@ville-melun.fr").await;
    let token = session.access_token.clone();
    let me = app
        .client
        .get_me(authed(pb::GetMeRequest {}, &token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.identifier, "MairieMelun");
    assert_eq!(me.phone, "+33164523333");
    assert_eq!(me.organisation_name, "Commune de Melun");

    // Every bad field at once, nothing changed.
    let status = refused(
        app.client
            .update_me(authed(
                pb::UpdateMeRequest {
                    first_name: Some("Anne2".into()),
                    phone: Some("123".into()),
                    email: Some("pas une adresse".into()),
                    ..Default::default()
                },
                &token,
            ))
            .await,
    );
    assert_code(&status, Code::InvalidArgument);
    let fields: Vec<String> = field_violations(&status)
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["first_name", "phone", "email"]);

    let updated = app
        .client
        .update_me(authed(
            pb::UpdateMeRequest {
                first_name: Some("Anne".into()),
                phone: Some("06 12 34 56 78".into()),
                email: Some("anne@ville-melun.fr".into()),
                ..Default::default()
            },
            &token,
        ))
        .await
        .expect("updating")
        .into_inner();
    assert_eq!(updated.first_name, "Anne");
    assert_eq!(updated.last_name, "N'Guessan");
    assert_eq!(updated.phone, "+33612345678");
    assert_eq!(updated.email, "dgs@ville-melun.fr");
    assert_eq!(updated.pending_email, "anne@ville-melun.fr");

    let requested = app.events(events::EMAIL_CHANGE_REQUESTED).await;
    assert_eq!(requested.len(), 1);
    assert_eq!(requested[0].actor.as_deref(), Some(me.id.as_str()));
    let message: ev::EmailChangeRequested = decode(&requested[0]);
    assert_eq!(message.new_recipient.unwrap().email, "anne@ville-melun.fr");
    assert_eq!(message.old_recipient.unwrap().email, "dgs@ville-melun.fr");

    // Until confirmed, the new address does not log in; the old one does.
    let status = refused(
        app.client
            .login(pb::LoginRequest {
                identifier: "anne@ville-melun.fr".into(),
                password: PASSWORD.into(),
                client_address: String::new(),
            })
            .await,
    );
    assert_code(&status, Code::Unauthenticated);
    app.login("dgs@ville-melun.fr", PASSWORD).await;

    let confirm = pb::ConfirmEmailChangeRequest {
        token: message.confirmation_token,
    };
    app.client
        .confirm_email_change(confirm.clone())
        .await
        .expect("confirming the new address");
    assert_code(
        &refused(app.client.confirm_email_change(confirm).await),
        Code::FailedPrecondition,
    );
    let me = app
        .client
        .get_me(authed(pb::GetMeRequest {}, &token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.email, "anne@ville-melun.fr");
    assert_eq!(me.pending_email, "");
    app.login("anne@ville-melun.fr", PASSWORD).await;
    let changed: ev::EmailChanged = decode(&app.events(events::EMAIL_CHANGED).await[0]);
    assert_eq!(changed.old_recipient.unwrap().email, "dgs@ville-melun.fr");
    assert_eq!(changed.new_email, "anne@ville-melun.fr");
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let mut app = spawn_identity().await;
    let here = app.active_member("MairieMelun", "dgs@ville-melun.fr").await;
    let elsewhere = app.login("MairieMelun", PASSWORD).await;
    let change = |current: &str, new: &str| {
        authed(
            pb::ChangePasswordRequest {
                current_password: current.into(),
                new_password: new.into(),
                refresh_token: here.refresh_token.clone(),
            },
            &here.access_token,
        )
    };
    let status = refused(
        app.client
            .change_password(change("faux", OTHER_PASSWORD))
            .await,
    );
    assert_code(&status, Code::InvalidArgument);
    assert_eq!(field_violations(&status)[0].field, "current_password");
    let status = refused(
        app.client
            .change_password(change(PASSWORD, "MairieMelun2025!!"))
            .await,
    );
    assert_eq!(field_violations(&status)[0].field, "new_password");
    assert!(
        status.message().contains("identifiant"),
        "{}",
        status.message()
    );

    app.client
        .change_password(change(PASSWORD, OTHER_PASSWORD))
        .await
        .expect("changing the password");
    let changed = app.events(events::PASSWORD_CHANGED).await;
    assert_eq!(changed.len(), 1);
    assert!(changed[0].actor.is_some());

    app.client
        .refresh(pb::RefreshRequest {
            refresh_token: here.refresh_token.clone(),
        })
        .await
        .expect("this session goes on");
    assert_code(
        &refused(
            app.client
                .refresh(pb::RefreshRequest {
                    refresh_token: elsewhere.refresh_token,
                })
                .await,
        ),
        Code::Unauthenticated,
    );
    app.login("MairieMelun", OTHER_PASSWORD).await;
}

/// The registration form's canton list comes from here, anonymously: the 23 cantons, sorted,
/// each one the registration accepts.
#[tokio::test]
async fn the_cantons_are_listed_to_anyone() {
    let mut app = spawn_identity().await;
    let names = app
        .client
        .list_cantons(pb::ListCantonsRequest {})
        .await
        .expect("listing the cantons")
        .into_inner()
        .names;
    assert_eq!(names.len(), 23);
    assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    assert!(names.iter().any(|n| n == "Fontainebleau"));
    let mut form = registration("CommuneDeTest", "mairie@test.fr");
    form.canton = names[22].clone();
    app.client
        .register(form)
        .await
        .expect("the last canton listed is accepted");
}
