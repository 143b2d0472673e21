//! Administrators: decisions on registrations, staff accounts, and the bootstrap account.

use id77_identity::{
    Config, events,
    store::{SqliteStore, Store as _},
};
use id77_kit::violations::field_violations;
use id77_proto::{events::v1 as ev, identity::v1 as pb};
use tonic::Code;

use crate::support::{
    ADMIN_PASSWORD, PASSWORD, TestDb, assert_code, authed, decode, refused, signer, spawn_identity,
    spawn_identity_on,
};

#[tokio::test]
async fn members_cannot_call_administrator_rpcs() {
    let mut app = spawn_identity().await;
    let member = app.active_member("MairieMelun", "dgs@ville-melun.fr").await;
    let id = member.account.as_ref().unwrap().id.clone();
    let token = member.access_token.as_str();
    let denied = [
        refused(
            app.client
                .list_registrations(authed(pb::ListRegistrationsRequest::default(), token))
                .await,
        ),
        refused(
            app.client
                .approve_registration(authed(
                    pb::ApproveRegistrationRequest {
                        account_id: id.clone(),
                    },
                    token,
                ))
                .await,
        ),
        refused(
            app.client
                .reject_registration(authed(
                    pb::RejectRegistrationRequest {
                        account_id: id.clone(),
                        reason: "non".into(),
                    },
                    token,
                ))
                .await,
        ),
        refused(
            app.client
                .create_staff(authed(
                    pb::CreateStaffRequest {
                        identifier: "chef".into(),
                        email: "chef@id77.fr".into(),
                        first_name: "Jean".into(),
                        last_name: "Chef".into(),
                        role: pb::Role::Admin.into(),
                    },
                    token,
                ))
                .await,
        ),
    ];
    for status in &denied {
        assert_code(status, Code::PermissionDenied);
        assert!(
            status.message().contains("administrateurs"),
            "{}",
            status.message()
        );
    }
    // Without a token at all: unauthenticated.
    assert_code(
        &refused(
            app.client
                .list_registrations(pb::ListRegistrationsRequest::default())
                .await,
        ),
        Code::Unauthenticated,
    );
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_is_final() {
    let mut app = spawn_identity().await;
    let account_id = app.registered("MairieMelun", "dgs@ville-melun.fr").await;
    let admin = app.admin_token().await;
    let reject = |reason: &str| {
        authed(
            pb::RejectRegistrationRequest {
                account_id: account_id.clone(),
                reason: reason.into(),
            },
            &admin,
        )
    };
    let status = refused(app.client.reject_registration(reject("  ")).await);
    assert_code(&status, Code::InvalidArgument);
    assert_eq!(field_violations(&status)[0].field, "reason");

    let rejected = app
        .client
        .reject_registration(reject("Collectivité hors Seine-et-Marne"))
        .await
        .expect("rejecting")
        .into_inner();
    assert_eq!(rejected.status(), pb::AccountStatus::Rejected);
    assert_eq!(
        rejected.rejection_reason,
        "Collectivité hors Seine-et-Marne"
    );
    let message: ev::RegistrationRejected =
        decode(&app.events(events::REGISTRATION_REJECTED).await[0]);
    assert_eq!(message.reason, "Collectivité hors Seine-et-Marne");
    assert_eq!(message.organisation_name, "Commune de Melun");

    let status = refused(
        app.client
            .approve_registration(authed(
                pb::ApproveRegistrationRequest {
                    account_id: account_id.clone(),
                },
                &admin,
            ))
            .await,
    );
    assert_code(&status, Code::FailedPrecondition);
    assert!(status.message().contains("refusé"), "{}", status.message());
    // Listed under its status.
    let listed = app
        .client
        .list_registrations(authed(
            pb::ListRegistrationsRequest {
                status: pb::AccountStatus::Rejected.into(),
            },
            &admin,
        ))
        .await
        .unwrap()
        .into_inner()
        .registrations;
    assert_eq!(listed.len(), 1);
    assert_code(
        &refused(
            app.client
                .approve_registration(authed(
                    pb::ApproveRegistrationRequest {
                        account_id: uuid::Uuid::now_v7().to_string(),
                    },
                    &admin,
                ))
                .await,
        ),
        Code::NotFound,
    );
}

#[tokio::test]
async fn staff_accounts_are_created_by_invitation() {
    let mut app = spawn_identity().await;
    let admin = app.admin_token().await;
    let staff = |identifier: &str, email: &str, role: pb::Role| {
        authed(
            pb::CreateStaffRequest {
                identifier: identifier.into(),
                email: email.into(),
                first_name: "Claire".into(),
                last_name: "Dubois".into(),
                role: role.into(),
            },
            &admin,
        )
    };
    let status = refused(
        app.client
            .create_staff(staff("chef-de-file", "claire", pb::Role::Member))
            .await,
    );
    let fields: Vec<String> = field_violations(&status)
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["identifier", "email", "role"]);

    let created = app
        .client
        .create_staff(staff(
            "ClaireDubois",
            "claire.dubois@departement77.fr",
            pb::Role::Lead,
        ))
        .await
        .expect("creating a lead")
        .into_inner();
    assert_eq!(created.status(), pb::AccountStatus::Invited);
    assert_eq!(created.role(), pb::Role::Lead);
    assert_eq!(created.organisation_id, "");
    let status = refused(
        app.client
            .create_staff(staff(
                "clairedubois",
                "autre@departement77.fr",
                pb::Role::Admin,
            ))
            .await,
    );
    assert_eq!(field_violations(&status)[0].field, "identifier");

    let invited: ev::AccountInvited = decode(&app.events(events::ACCOUNT_INVITED).await[0]);
    assert_eq!(invited.role, "lead");
    assert_eq!(invited.account_id, created.id);
    app.client
        .accept_invitation(pb::AcceptInvitationRequest {
            token: invited.invitation_token,
            password: PASSWORD.into(),
        })
        .await
        .expect("accepting");
    let session = app.login("ClaireDubois", PASSWORD).await;
    let claims = signer()
        .verifier()
        .unwrap()
        .verify(&session.access_token)
        .unwrap();
    assert_eq!(claims.role, id77_kit::auth::Role::Lead);
    assert_eq!(claims.org, None);
    assert_eq!(claims.name, "Claire Dubois");
}

#[tokio::test]
async fn the_bootstrap_administrator_is_created_once() {
    let url = TestDb::sqlite_url();
    let mut client = spawn_identity_on(&url).await;
    let login = || pb::LoginRequest {
        identifier: "admin".into(),
        password: ADMIN_PASSWORD.into(),
        client_address: String::new(),
    };
    let session = client
        .login(login())
        .await
        .expect("admin logs in")
        .into_inner();
    let account = session.account.unwrap();
    assert_eq!(account.role(), pb::Role::Admin);
    assert_eq!(account.email, "admin@id77.local");
    // Started again on the same database (another password configured): nothing changes.
    let mut config = Config::new(&url, signer().clone());
    config.admin_password = Some("Un tout autre mot de passe bien long".into());
    let _ = id77_identity::routes(config).await.expect("second start");
    client.login(login()).await.expect("same password");
    let store: SqliteStore = TestDb::sqlite_store_at(&url).await;
    assert_eq!(store.count_accounts().await.unwrap(), 1);

    // Unset: a password is generated (and logged once); the account is active.
    let url = TestDb::sqlite_url();
    let (_routes, _outbox) = id77_identity::routes(Config::new(&url, signer().clone()))
        .await
        .expect("start with a generated password");
    let store = TestDb::sqlite_store_at(&url).await;
    let admin = store.account_by_login("admin").await.unwrap().unwrap();
    assert_eq!(admin.status, id77_identity::domain::AccountStatus::Active);
    assert!(admin.password_hash.unwrap().starts_with("$argon2id$"));
    // A weak configured password stops the start.
    let mut config = Config::new(TestDb::sqlite_url(), signer().clone());
    config.admin_password = Some("admin1234".into());
    assert!(id77_identity::routes(config).await.is_err());
}
