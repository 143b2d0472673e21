//! Logins, refresh rotation, throttling, and password resets.

use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use id77_identity::events;
use id77_proto::{events::v1 as ev, identity::v1 as pb};
use tonic::Code;

use crate::support::{OTHER_PASSWORD, PASSWORD, TestApp, assert_code, refused, spawn_identity};

fn login(identifier: &str, password: &str, address: &str) -> pb::LoginRequest {
    pb::LoginRequest {
        identifier: identifier.into(),
        password: password.into(),
        client_address: address.into(),
    }
}

fn refresh(token: &str) -> pb::RefreshRequest {
    pb::RefreshRequest {
        refresh_token: token.into(),
    }
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_ends_the_session() {
    let mut app = spawn_identity().await;
    let first = app.active_member("MairieMelun", "dgs@ville-melun.fr").await;
    let second = app
        .client
        .refresh(refresh(&first.refresh_token))
        .await
        .expect("refreshing")
        .into_inner();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);
    assert_eq!(second.account.as_ref().unwrap().identifier, "MairieMelun");

    // The old token no longer works, and presenting it ends the session it was rotated into.
    let status = refused(app.client.refresh(refresh(&first.refresh_token)).await);
    assert_code(&status, Code::Unauthenticated);
    let status = refused(app.client.refresh(refresh(&second.refresh_token)).await);
    assert_code(&status, Code::Unauthenticated);

    // Another session of the same account is not affected.
    let other = app.login("MairieMelun", PASSWORD).await;
    let rotated = app
        .client
        .refresh(refresh(&other.refresh_token))
        .await
        .expect("another session")
        .into_inner();
    app.client
        .logout(pb::LogoutRequest {
            refresh_token: rotated.refresh_token.clone(),
        })
        .await
        .unwrap();
    assert_code(
        &refused(app.client.refresh(refresh(&rotated.refresh_token)).await),
        Code::Unauthenticated,
    );
    // Logging out twice, or with garbage, is fine.
    for token in [rotated.refresh_token.as_str(), "garbage", ""] {
        app.client
            .logout(pb::LogoutRequest {
                refresh_token: token.into(),
            })
            .await
            .unwrap();
    }
    // An expired refresh token is refused.
    let late = app.login("MairieMelun", PASSWORD).await;
    sqlx::query("UPDATE refresh_tokens SET expires_at = $1 WHERE revoked_at IS NULL")
        .bind(Utc::now() - TimeDelta::seconds(1))
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_code(
        &refused(app.client.refresh(refresh(&late.refresh_token)).await),
        Code::Unauthenticated,
    );
}

/// The fastest of three timed logins (each from its own address, to stay under the throttle).
async fn fastest_failed_login(app: &mut TestApp, identifier: &str, tag: &str) -> Duration {
    let mut fastest = Duration::MAX;
    for i in 0..3 {
        let start = Instant::now();
        let status = refused(
            app.client
                .login(login(
                    identifier,
                    "Un mauvais mot de passe",
                    &format!("198.51.100.{tag}{i}"),
                ))
                .await,
        );
        fastest = fastest.min(start.elapsed());
        assert_code(&status, Code::Unauthenticated);
        assert_eq!(status.message(), "Identifiant ou mot de passe incorrect.");
    }
    fastest
}

#[tokio::test]
async fn failed_logins_look_the_same_whether_the_account_exists_or_not() {
    let mut app = spawn_identity().await;
    app.active_member("MairieMelun", "dgs@ville-melun.fr").await;
    // Warm up both paths once.
    fastest_failed_login(&mut app, "personne", "1").await;
    let unknown = fastest_failed_login(&mut app, "personne", "2").await;
    let wrong_password = fastest_failed_login(&mut app, "MairieMelun", "3").await;
    let ratio = unknown.as_secs_f64() / wrong_password.as_secs_f64();
    assert!(
        (0.5..=2.0).contains(&ratio),
        "unknown account {unknown:?} vs wrong password {wrong_password:?}"
    );
    // An account that exists but is not active answers the same too.
    app.client
        .register(crate::support::registration("MairieMeaux", "dgs@meaux.fr"))
        .await
        .unwrap();
    let status = refused(app.client.login(login("MairieMeaux", PASSWORD, "")).await);
    assert_eq!(status.message(), "Identifiant ou mot de passe incorrect.");
}

#[tokio::test]
async fn five_failures_throttle_the_account_and_the_address() {
    let mut app = spawn_identity().await;
    app.active_member("MairieMelun", "dgs@ville-melun.fr").await;
    let attacker = "203.0.113.7";
    for _ in 0..5 {
        let status = refused(
            app.client
                .login(login("MairieMelun", "Pas le bon", attacker))
                .await,
        );
        assert_code(&status, Code::Unauthenticated);
    }
    // The right password, from elsewhere: the account is throttled, with the same answer.
    let status = refused(
        app.client
            .login(login("MairieMelun", PASSWORD, "192.0.2.1"))
            .await,
    );
    assert_code(&status, Code::Unauthenticated);
    assert_eq!(status.message(), "Identifiant ou mot de passe incorrect.");
    // The address is throttled for every account, even the administrator's right password.
    let status = refused(
        app.client
            .login(login("admin", crate::support::ADMIN_PASSWORD, attacker))
            .await,
    );
    assert_eq!(status.message(), "Identifiant ou mot de passe incorrect.");
    // Fifteen minutes later the window has passed.
    sqlx::query("UPDATE login_attempts SET at = $1")
        .bind(Utc::now() - TimeDelta::minutes(16))
        .execute(app.store.pool())
        .await
        .unwrap();
    app.client
        .login(login("MairieMelun", PASSWORD, attacker))
        .await
        .expect("the window has passed");
}

#[tokio::test]
async fn a_password_reset_ends_every_session() {
    let mut app = spawn_identity().await;
    let first = app.active_member("MairieMelun", "dgs@ville-melun.fr").await;
    let second = app.login("MairieMelun", PASSWORD).await;
    let reset = |email: &str| pb::RequestPasswordResetRequest {
        email: email.into(),
    };

    // Same answer whether or not the address has an account; only a real account gets a mail.
    for email in ["personne@nulle-part.fr", "DGS@ville-melun.fr"] {
        let response = app
            .client
            .request_password_reset(reset(email))
            .await
            .expect(email);
        assert_eq!(response.into_inner(), pb::RequestPasswordResetResponse {});
    }
    let requests = app.events(events::PASSWORD_RESET_REQUESTED).await;
    assert_eq!(requests.len(), 1);
    let message: ev::PasswordResetRequested = crate::support::decode(&requests[0]);
    assert_eq!(message.identifier, "MairieMelun");
    // A malformed address is a field error (it tells nothing about accounts).
    let status = refused(app.client.request_password_reset(reset("nope")).await);
    assert_code(&status, Code::InvalidArgument);

    let complete = |password: &str| pb::CompletePasswordResetRequest {
        token: message.reset_token.clone(),
        password: password.into(),
    };
    let status = refused(app.client.complete_password_reset(complete("court")).await);
    assert_code(&status, Code::InvalidArgument);
    app.client
        .complete_password_reset(complete(OTHER_PASSWORD))
        .await
        .expect("resetting");
    assert_code(
        &refused(
            app.client
                .complete_password_reset(complete(OTHER_PASSWORD))
                .await,
        ),
        Code::FailedPrecondition,
    );
    for session in [&first, &second] {
        assert_code(
            &refused(app.client.refresh(refresh(&session.refresh_token)).await),
            Code::Unauthenticated,
        );
    }
    assert_code(
        &refused(app.client.login(login("MairieMelun", PASSWORD, "")).await),
        Code::Unauthenticated,
    );
    app.login("MairieMelun", OTHER_PASSWORD).await;
    assert_eq!(app.events(events::PASSWORD_CHANGED).await.len(), 1);

    // A reset link lives 30 minutes.
    app.client
        .request_password_reset(reset("dgs@ville-melun.fr"))
        .await
        .unwrap();
    let token = app
        .latest(
            events::PASSWORD_RESET_REQUESTED,
            |m: &ev::PasswordResetRequested| Some(m.reset_token.clone()),
        )
        .await
        .unwrap();
    let hash = id77_identity::token::OneTimeToken::parse(&token)
        .unwrap()
        .hash();
    let expires_at: chrono::DateTime<Utc> =
        sqlx::query_scalar("SELECT expires_at FROM one_time_tokens WHERE token_hash = $1")
            .bind(&hash)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let lifetime = expires_at - Utc::now();
    assert!(lifetime <= TimeDelta::minutes(30) && lifetime > TimeDelta::minutes(29));
    sqlx::query("UPDATE one_time_tokens SET expires_at = $1 WHERE token_hash = $2")
        .bind(Utc::now() - TimeDelta::seconds(1))
        .bind(&hash)
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_code(
        &refused(
            app.client
                .complete_password_reset(pb::CompletePasswordResetRequest {
                    token,
                    password: PASSWORD.into(),
                })
                .await,
        ),
        Code::FailedPrecondition,
    );
}

#[tokio::test]
async fn a_login_re_hashes_a_password_hashed_with_older_parameters() {
    let mut app = spawn_identity().await;
    let first = app.active_member("MairieAvon", "mairie@avon.example").await;
    // As if the account had chosen its password when the parameters were weaker.
    let weaker = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8, 1, 1, None).unwrap(),
    );
    let old_hash =
        argon2::PasswordHasher::hash_password_with_salt(&weaker, PASSWORD.as_bytes(), &[7; 16])
            .unwrap()
            .to_string();
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE identifier = $2")
        .bind(&old_hash)
        .bind("MairieAvon")
        .execute(app.store.pool())
        .await
        .unwrap();
    let changed_before = app.events(events::PASSWORD_CHANGED).await.len();

    app.login("MairieAvon", PASSWORD).await;

    let stored: String =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE identifier = $1")
            .bind("MairieAvon")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_ne!(stored, old_hash);
    assert!(stored.contains("m=19456,t=2,p=1"), "{stored}");
    // Same password, same sessions, no "password changed" mail: nothing changed for its owner.
    app.login("MairieAvon", PASSWORD).await;
    app.client
        .refresh(pb::RefreshRequest {
            refresh_token: first.refresh_token,
        })
        .await
        .expect("the first session goes on");
    assert_eq!(
        app.events(events::PASSWORD_CHANGED).await.len(),
        changed_before
    );
}
