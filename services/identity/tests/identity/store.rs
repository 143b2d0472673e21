//! The store conformance suite: every scenario runs on SQLite and on PostgreSQL.

use chrono::{DateTime, SubsecRound as _, TimeDelta, Utc};
use id77_identity::{
    domain::{
        Account, AccountStatus, Canton, Category, Civility, Contact, Email, Identifier, Logo,
        Organisation, OrganisationName, PersonName, Phone, Population, Referent, Representative,
        RepresentativeTitle, Role, Siret, Website,
    },
    events::{self, event},
    store::{
        Decision, NewRefreshToken, NewToken, ProfileChange, Redemption, Store, StoreError, Unique,
    },
    token::TokenPurpose,
};
use id77_kit::bus::Event;
use uuid::Uuid;

/// Generates, for each scenario, one test on SQLite and one on PostgreSQL.
macro_rules! conformance {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            use crate::support::TestDb;

            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(TestDb::sqlite_store().await).await;
                }
            )*
        }

        mod postgres {
            use crate::support::TestDb;

            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL (ID77_TEST_DATABASE_URL); run by cargo xtask test"]
                async fn $scenario() {
                    super::$scenario(TestDb::postgres_store().await).await;
                }
            )*
        }
    };
}

conformance!(
    migrate_is_idempotent,
    a_registration_is_written_with_its_token_and_event,
    taken_identifiers_and_addresses_write_nothing,
    tokens_are_single_use_and_expire,
    a_redemption_is_all_or_nothing,
    decisions_apply_only_to_the_status_they_were_taken_on,
    refresh_tokens_rotate_once_and_sessions_end_together,
    login_failures_count_within_the_window,
    an_email_change_waits_for_its_confirmation,
    changing_the_password_ends_the_other_sessions,
    organisation_profile_logo_and_contacts,
    staff_accounts_have_no_organisation,
    an_event_alone_reaches_the_outbox,
    a_hash_upgrade_applies_only_to_the_hash_it_replaces,
);

async fn a_hash_upgrade_applies_only_to_the_hash_it_replaces(store: impl Store) {
    let (_, account, _) = registered(&store).await;
    let now = now();
    let session = refresh(account.id, Uuid::now_v7(), now);
    store.create_refresh_token(&session).await.unwrap();
    store
        .change_password(
            account.id,
            "$argon2id$old",
            Some(session.family_id),
            &some_event(events::PASSWORD_CHANGED),
            now,
        )
        .await
        .unwrap();
    let events_before = store.outbox().await.unwrap().len();
    // A stale old hash (the password changed meanwhile) changes nothing.
    assert!(
        !store
            .upgrade_password_hash(account.id, "$argon2id$stale", "$argon2id$new")
            .await
            .unwrap()
    );
    assert!(
        store
            .upgrade_password_hash(account.id, "$argon2id$old", "$argon2id$new")
            .await
            .unwrap()
    );
    let upgraded = store.account(account.id).await.unwrap().unwrap();
    assert_eq!(upgraded.password_hash.as_deref(), Some("$argon2id$new"));
    // No event, and the session goes on.
    assert_eq!(store.outbox().await.unwrap().len(), events_before);
    let kept = store.refresh_token(&session.hash).await.unwrap().unwrap();
    assert!(kept.revoked_at.is_none());
}

async fn an_event_alone_reaches_the_outbox(store: impl Store) {
    store.migrate().await.unwrap();
    let notice = Event::new(
        events::REGISTRATION_DUPLICATE,
        events::SOURCE,
        vec![1, 2, 3],
    )
    .with_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    store.enqueue_event(&notice).await.unwrap();
    let outbox = store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].id, notice.id);
    assert_eq!(outbox[0].kind, events::REGISTRATION_DUPLICATE);
    assert_eq!(outbox[0].payload, [1, 2, 3]);
    assert_eq!(outbox[0].traceparent, notice.traceparent);
}

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn organisation(now: DateTime<Utc>) -> Organisation {
    Organisation {
        id: Uuid::now_v7(),
        name: OrganisationName::parse("Commune de Melun").unwrap(),
        categories: vec![Category::Communes, Category::Epci],
        siret: Siret::parse("21770288500013").unwrap(),
        population: Population::parse("41000").unwrap(),
        canton: Canton::parse("La Ferté-sous-Jouarre").unwrap(),
        representative: Representative {
            title: RepresentativeTitle::Maire,
            civility: Civility::Homme,
            first_name: PersonName::parse("Louis").unwrap(),
            last_name: PersonName::parse("Vogel").unwrap(),
        },
        admin_referent: Referent {
            civility: Civility::Femme,
            first_name: PersonName::parse("Anne-Sophie").unwrap(),
            last_name: PersonName::parse("N'Guessan").unwrap(),
        },
        website: Website::parse("www.melun.fr").unwrap(),
        logo_version: None,
        created_at: now,
        updated_at: now,
    }
}

fn account(
    identifier: &str,
    email: &str,
    organisation_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Account {
    Account {
        id: Uuid::now_v7(),
        organisation_id,
        identifier: Identifier::parse(identifier).unwrap(),
        email: Email::parse(email).unwrap(),
        pending_email: None,
        first_name: "Anne-Sophie".into(),
        last_name: "N'Guessan".into(),
        phone: Some(Phone::parse("01 64 52 33 33").unwrap()),
        role: Role::Member,
        status: AccountStatus::PendingEmail,
        password_hash: None,
        rejection_reason: None,
        created_at: now,
        updated_at: now,
    }
}

fn token(account_id: Uuid, purpose: TokenPurpose, now: DateTime<Utc>) -> NewToken {
    NewToken {
        hash: format!("{:064x}", Uuid::now_v7().as_u128()),
        account_id,
        purpose,
        expires_at: purpose.expires_at(now),
        payload: None,
        created_at: now,
    }
}

fn some_event(kind: &str) -> Event {
    event(
        kind,
        &id77_proto::events::v1::OrganisationUpdated::default(),
        None,
    )
}

fn redemption(token: &NewToken, now: DateTime<Utc>) -> Redemption {
    Redemption {
        token_hash: token.hash.clone(),
        account_id: token.account_id,
        now,
        status: None,
        password_hash: None,
        new_email: None,
        revoke_sessions: false,
        event: None,
    }
}

fn refresh(account_id: Uuid, family_id: Uuid, now: DateTime<Utc>) -> NewRefreshToken {
    NewRefreshToken {
        hash: format!("{:064x}", Uuid::now_v7().as_u128()),
        account_id,
        family_id,
        expires_at: now + TimeDelta::days(14),
        created_at: now,
    }
}

/// A migrated store with one registered member (organisation, account, confirmation token).
async fn registered(store: &impl Store) -> (Organisation, Account, NewToken) {
    store.migrate().await.expect("migrating");
    let now = now();
    let organisation = organisation(now);
    let account = account(
        "MairieMelun",
        "dgs@Ville-Melun.fr",
        Some(organisation.id),
        now,
    );
    let token = token(account.id, TokenPurpose::EmailConfirmation, now);
    store
        .create_registration(
            &organisation,
            &account,
            &token,
            &some_event(events::REGISTRATION_SUBMITTED),
        )
        .await
        .expect("registering");
    (organisation, account, token)
}

async fn kinds(store: &impl Store) -> Vec<String> {
    store
        .outbox()
        .await
        .expect("reading the outbox")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn migrate_is_idempotent(store: impl Store) {
    store.migrate().await.expect("first migration");
    store.migrate().await.expect("second migration");
    assert_eq!(store.count_accounts().await.unwrap(), 0);
    store.ping().await.expect("ping");
}

async fn a_registration_is_written_with_its_token_and_event(store: impl Store) {
    let (organisation, account, token) = registered(&store).await;
    assert_eq!(store.count_accounts().await.unwrap(), 1);
    assert_eq!(
        store.account(account.id).await.unwrap(),
        Some(account.clone())
    );
    assert_eq!(
        store.organisation(organisation.id).await.unwrap(),
        Some(organisation.clone())
    );
    // Found by identifier or address, whatever their case.
    for login in ["mairiemelun", "dgs@ville-melun.fr"] {
        assert_eq!(
            store.account_by_login(login).await.unwrap().map(|a| a.id),
            Some(account.id),
            "{login}"
        );
    }
    assert_eq!(store.account_by_login("nobody").await.unwrap(), None);
    let stored = store
        .one_time_token(&token.hash)
        .await
        .unwrap()
        .expect("the token");
    assert_eq!(stored.purpose, TokenPurpose::EmailConfirmation);
    assert_eq!(stored.expires_at, token.expires_at);
    assert!(stored.usable_for(TokenPurpose::EmailConfirmation, token.created_at));
    assert!(!stored.usable_for(TokenPurpose::PasswordReset, token.created_at));
    let outbox = store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].kind, events::REGISTRATION_SUBMITTED);
    assert_eq!(outbox[0].source, events::SOURCE);
    let listed = store
        .registrations(AccountStatus::PendingEmail)
        .await
        .unwrap();
    assert_eq!(listed, vec![(account, organisation)]);
    assert!(
        store
            .registrations(AccountStatus::PendingApproval)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn taken_identifiers_and_addresses_write_nothing(store: impl Store) {
    let (_, _, _) = registered(&store).await;
    let now = now();
    for (identifier, email, expected) in [
        ("MAIRIEMELUN", "autre@melun.fr", Unique::Identifier),
        ("autre", "DGS@ville-melun.fr", Unique::Email),
    ] {
        let organisation = organisation(now);
        let account = account(identifier, email, Some(organisation.id), now);
        let result = store
            .create_registration(
                &organisation,
                &account,
                &token(account.id, TokenPurpose::EmailConfirmation, now),
                &some_event(events::REGISTRATION_SUBMITTED),
            )
            .await;
        assert!(
            matches!(result, Err(StoreError::Taken(unique)) if unique == expected),
            "{identifier}: {result:?}"
        );
        assert_eq!(store.organisation(organisation.id).await.unwrap(), None);
    }
    assert_eq!(store.count_accounts().await.unwrap(), 1);
    assert_eq!(kinds(&store).await.len(), 1);
}

async fn tokens_are_single_use_and_expire(store: impl Store) {
    let (_, account, token) = registered(&store).await;
    // Past its expiry: refused, and still unused.
    let late = token.expires_at + TimeDelta::seconds(1);
    assert!(matches!(
        store.redeem_token(&redemption(&token, late)).await,
        Err(StoreError::Stale)
    ));
    assert_eq!(
        store
            .one_time_token(&token.hash)
            .await
            .unwrap()
            .unwrap()
            .used_at,
        None
    );
    // In time: used once, with its status change and event.
    let at = token.created_at + TimeDelta::hours(1);
    let confirm = Redemption {
        status: Some((AccountStatus::PendingEmail, AccountStatus::PendingApproval)),
        event: Some(some_event(events::REGISTRATION_CONFIRMED)),
        ..redemption(&token, at)
    };
    store.redeem_token(&confirm).await.expect("first use");
    let stored = store.one_time_token(&token.hash).await.unwrap().unwrap();
    assert_eq!(stored.used_at, Some(at));
    assert!(!stored.usable_for(TokenPurpose::EmailConfirmation, at));
    assert_eq!(
        store.account(account.id).await.unwrap().unwrap().status,
        AccountStatus::PendingApproval
    );
    // A second use changes nothing.
    assert!(matches!(
        store.redeem_token(&confirm).await,
        Err(StoreError::Stale)
    ));
    assert_eq!(
        kinds(&store).await,
        [
            events::REGISTRATION_SUBMITTED,
            events::REGISTRATION_CONFIRMED
        ]
    );
}

async fn a_redemption_is_all_or_nothing(store: impl Store) {
    let (_, account, token) = registered(&store).await;
    // The status changed meanwhile: the token stays unused and no event is written.
    let wrong = Redemption {
        status: Some((AccountStatus::Invited, AccountStatus::Active)),
        password_hash: Some("$argon2id$whatever".into()),
        event: Some(some_event(events::PASSWORD_CHANGED)),
        ..redemption(&token, token.created_at)
    };
    assert!(matches!(
        store.redeem_token(&wrong).await,
        Err(StoreError::Stale)
    ));
    let unchanged = store.account(account.id).await.unwrap().unwrap();
    assert_eq!(unchanged, account);
    assert_eq!(
        store
            .one_time_token(&token.hash)
            .await
            .unwrap()
            .unwrap()
            .used_at,
        None
    );
    assert_eq!(kinds(&store).await, [events::REGISTRATION_SUBMITTED]);
}

async fn decisions_apply_only_to_the_status_they_were_taken_on(store: impl Store) {
    let (_, account, _) = registered(&store).await;
    let now = now();
    let invitation = token(account.id, TokenPurpose::Invitation, now);
    let approve = Decision {
        account_id: account.id,
        from: AccountStatus::PendingApproval,
        to: AccountStatus::Invited,
        rejection_reason: None,
        invitation: Some(invitation.clone()),
        event: some_event(events::REGISTRATION_APPROVED),
        now,
    };
    // Still pending_email: refused, nothing written.
    assert!(matches!(
        store.decide_registration(&approve).await,
        Err(StoreError::Stale)
    ));
    assert_eq!(store.one_time_token(&invitation.hash).await.unwrap(), None);
    assert_eq!(kinds(&store).await.len(), 1);

    let reject = Decision {
        from: AccountStatus::PendingEmail,
        to: AccountStatus::Rejected,
        rejection_reason: Some("Hors Seine-et-Marne".into()),
        invitation: None,
        event: some_event(events::REGISTRATION_REJECTED),
        ..approve.clone()
    };
    store.decide_registration(&reject).await.expect("rejecting");
    let rejected = store.account(account.id).await.unwrap().unwrap();
    assert_eq!(rejected.status, AccountStatus::Rejected);
    assert_eq!(
        rejected.rejection_reason.as_deref(),
        Some("Hors Seine-et-Marne")
    );
    assert_eq!(rejected.updated_at, now);
    // Decided: a second decision is stale.
    assert!(matches!(
        store.decide_registration(&reject).await,
        Err(StoreError::Stale)
    ));
    assert_eq!(
        kinds(&store).await,
        [
            events::REGISTRATION_SUBMITTED,
            events::REGISTRATION_REJECTED
        ]
    );
}

async fn refresh_tokens_rotate_once_and_sessions_end_together(store: impl Store) {
    let (_, account, _) = registered(&store).await;
    let now = now();
    let family = Uuid::now_v7();
    let first = refresh(account.id, family, now);
    store.create_refresh_token(&first).await.unwrap();
    let second = refresh(account.id, family, now);
    assert!(
        store
            .rotate_refresh_token(&first.hash, &second, now)
            .await
            .unwrap()
    );
    let old = store.refresh_token(&first.hash).await.unwrap().unwrap();
    assert_eq!(old.revoked_at, Some(now));
    assert_eq!(old.replaced_by.as_deref(), Some(second.hash.as_str()));
    assert_eq!(old.family_id, family);
    // The rotated token cannot be rotated again.
    let third = refresh(account.id, family, now);
    assert!(
        !store
            .rotate_refresh_token(&first.hash, &third, now)
            .await
            .unwrap()
    );
    assert_eq!(store.refresh_token(&third.hash).await.unwrap(), None);
    // Nor an expired one.
    let late = second.expires_at + TimeDelta::seconds(1);
    assert!(
        !store
            .rotate_refresh_token(&second.hash, &third, late)
            .await
            .unwrap()
    );

    // Another session of the same account.
    let other_family = Uuid::now_v7();
    let other = refresh(account.id, other_family, now);
    store.create_refresh_token(&other).await.unwrap();
    assert_eq!(store.revoke_family(family, now).await.unwrap(), 1);
    assert!(
        store
            .refresh_token(&second.hash)
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
    assert!(
        store
            .refresh_token(&other.hash)
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_none()
    );
    assert_eq!(store.revoke_family(family, now).await.unwrap(), 0);
    // Every session but one kept, then all.
    assert_eq!(
        store
            .revoke_sessions(account.id, Some(other_family), now)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store.revoke_sessions(account.id, None, now).await.unwrap(),
        1
    );
    assert!(
        store
            .refresh_token(&other.hash)
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
}

async fn login_failures_count_within_the_window(store: impl Store) {
    store.migrate().await.unwrap();
    let now = now();
    let keys = vec!["account:x".to_owned(), "addr:10.0.0.1".to_owned()];
    let long_ago = now - TimeDelta::hours(1);
    store
        .record_login_failure(&keys, long_ago, long_ago - TimeDelta::minutes(15))
        .await
        .unwrap();
    for minutes in [10, 5, 1] {
        let at = now - TimeDelta::minutes(minutes);
        store
            .record_login_failure(&keys[..1], at, at - TimeDelta::minutes(15))
            .await
            .unwrap();
    }
    let since = now - TimeDelta::minutes(15);
    assert_eq!(store.login_failures("account:x", since).await.unwrap(), 3);
    // The hour-old failure was forgotten by the later writes.
    assert_eq!(
        store
            .login_failures("addr:10.0.0.1", long_ago - TimeDelta::seconds(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.login_failures("account:y", since).await.unwrap(), 0);
    store.clear_login_failures("account:x").await.unwrap();
    assert_eq!(store.login_failures("account:x", since).await.unwrap(), 0);
}

async fn an_email_change_waits_for_its_confirmation(store: impl Store) {
    let (_, account, _) = registered(&store).await;
    let now = now();
    // Another account holds the address asked for first.
    let staff = Account {
        role: Role::Lead,
        status: AccountStatus::Invited,
        ..self::account("chef", "chef@id77.fr", None, now)
    };
    store.create_account(&staff, None, None).await.unwrap();
    let change = |email: &str| {
        let email = Email::parse(email).unwrap();
        let mut token = token(account.id, TokenPurpose::EmailChange, now);
        token.payload = Some(email.as_str().to_owned());
        ProfileChange {
            account_id: account.id,
            first_name: "Anne".into(),
            last_name: "Martin".into(),
            phone: None,
            email_change: Some((email, token, some_event(events::EMAIL_CHANGE_REQUESTED))),
            now,
        }
    };
    assert!(matches!(
        store.update_profile(&change("CHEF@id77.fr")).await,
        Err(StoreError::Taken(Unique::Email))
    ));
    assert_eq!(store.account(account.id).await.unwrap().unwrap(), account);

    let wanted = change("anne.martin@melun.fr");
    store
        .update_profile(&wanted)
        .await
        .expect("asking for a new address");
    let pending = store.account(account.id).await.unwrap().unwrap();
    assert_eq!(
        (pending.first_name.as_str(), pending.last_name.as_str()),
        ("Anne", "Martin")
    );
    assert_eq!(pending.phone, None);
    assert_eq!(pending.email, account.email);
    assert_eq!(
        pending.pending_email.as_ref().map(Email::as_str),
        Some("anne.martin@melun.fr")
    );

    let (email, token, _) = wanted.email_change.clone().unwrap();
    let confirm = Redemption {
        new_email: Some(email),
        event: Some(some_event(events::EMAIL_CHANGED)),
        ..redemption(&token, now)
    };
    store.redeem_token(&confirm).await.expect("confirming");
    let changed = store.account(account.id).await.unwrap().unwrap();
    assert_eq!(changed.email.as_str(), "anne.martin@melun.fr");
    assert_eq!(changed.pending_email, None);
    assert_eq!(
        store
            .account_by_login("anne.martin@melun.fr")
            .await
            .unwrap()
            .map(|a| a.id),
        Some(account.id)
    );
    assert_eq!(
        store.account_by_login("dgs@ville-melun.fr").await.unwrap(),
        None
    );
    assert_eq!(
        kinds(&store).await,
        [
            events::REGISTRATION_SUBMITTED,
            events::EMAIL_CHANGE_REQUESTED,
            events::EMAIL_CHANGED
        ]
    );
}

async fn changing_the_password_ends_the_other_sessions(store: impl Store) {
    let (_, account, _) = registered(&store).await;
    let now = now();
    let kept = refresh(account.id, Uuid::now_v7(), now);
    let ended = refresh(account.id, Uuid::now_v7(), now);
    store.create_refresh_token(&kept).await.unwrap();
    store.create_refresh_token(&ended).await.unwrap();
    store
        .change_password(
            account.id,
            "$argon2id$new",
            Some(kept.family_id),
            &some_event(events::PASSWORD_CHANGED),
            now,
        )
        .await
        .unwrap();
    let changed = store.account(account.id).await.unwrap().unwrap();
    assert_eq!(changed.password_hash.as_deref(), Some("$argon2id$new"));
    assert!(
        store
            .refresh_token(&kept.hash)
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_none()
    );
    assert!(
        store
            .refresh_token(&ended.hash)
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
    assert_eq!(
        kinds(&store).await.last().map(String::as_str),
        Some(events::PASSWORD_CHANGED)
    );
}

async fn organisation_profile_logo_and_contacts(store: impl Store) {
    let (mut organisation, _, _) = registered(&store).await;
    let now = now();
    organisation.name = OrganisationName::parse("Ville de Melun").unwrap();
    organisation.categories = vec![Category::Syndicats];
    organisation.website = None;
    organisation.updated_at = now;
    store
        .update_organisation(&organisation, &some_event(events::ORGANISATION_UPDATED))
        .await
        .unwrap();
    assert_eq!(
        store.organisation(organisation.id).await.unwrap(),
        Some(organisation.clone())
    );

    assert_eq!(store.logo(organisation.id).await.unwrap(), None);
    let logo = Logo {
        image: vec![0x89, b'P', b'N', b'G', 0, 1, 2],
        content_type: "image/png".into(),
        version: "abc123".into(),
    };
    let event = some_event(events::ORGANISATION_UPDATED);
    assert!(
        store
            .set_logo(organisation.id, &logo, &event, now)
            .await
            .unwrap()
    );
    assert_eq!(store.logo(organisation.id).await.unwrap(), Some(logo));
    assert_eq!(
        store
            .organisation(organisation.id)
            .await
            .unwrap()
            .unwrap()
            .logo_version
            .as_deref(),
        Some("abc123")
    );
    assert!(
        !store
            .set_logo(
                Uuid::now_v7(),
                &Logo {
                    version: "x".into(),
                    ..store.logo(organisation.id).await.unwrap().unwrap()
                },
                &event,
                now
            )
            .await
            .unwrap()
    );

    let contact = |full_name: &str, at: DateTime<Utc>| Contact {
        id: Uuid::now_v7(),
        organisation_id: organisation.id,
        title: "Directeur des services techniques".into(),
        full_name: full_name.into(),
        service: "Services techniques".into(),
        email: Email::parse("dst@melun.fr").unwrap(),
        phone: Phone::parse("0164523300").unwrap(),
        created_at: at,
    };
    let first = contact("Paul Martin", now);
    let second = contact("Léa Petit", now + TimeDelta::seconds(1));
    for c in [&second, &first] {
        store
            .add_contact(c, &some_event(events::CONTACT_CHANGED))
            .await
            .unwrap();
    }
    assert_eq!(
        store.contacts(organisation.id).await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    // Only the organisation's own contact is removed.
    let changed = some_event(events::CONTACT_CHANGED);
    assert!(
        !store
            .remove_contact(Uuid::now_v7(), first.id, &changed)
            .await
            .unwrap()
    );
    assert!(
        store
            .remove_contact(organisation.id, first.id, &changed)
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_contact(organisation.id, first.id, &changed)
            .await
            .unwrap()
    );
    assert_eq!(store.contacts(organisation.id).await.unwrap(), vec![second]);
    let written = kinds(&store).await;
    assert_eq!(
        written
            .iter()
            .filter(|k| *k == events::CONTACT_CHANGED)
            .count(),
        3,
        "{written:?}"
    );
    assert_eq!(
        written
            .iter()
            .filter(|k| *k == events::ORGANISATION_UPDATED)
            .count(),
        2,
        "{written:?}"
    );
}

async fn staff_accounts_have_no_organisation(store: impl Store) {
    store.migrate().await.unwrap();
    let now = now();
    let staff = Account {
        role: Role::Admin,
        status: AccountStatus::Invited,
        phone: None,
        first_name: String::new(),
        last_name: String::new(),
        ..account("Admin2", "admin2@id77.fr", None, now)
    };
    let invitation = token(staff.id, TokenPurpose::Invitation, now);
    store
        .create_account(
            &staff,
            Some(&invitation),
            Some(&some_event(events::ACCOUNT_INVITED)),
        )
        .await
        .unwrap();
    let read = store.account(staff.id).await.unwrap().unwrap();
    assert_eq!(read, staff);
    assert_eq!(read.display_name(), "Admin2");
    assert!(matches!(
        store
            .create_account(
                &Account {
                    id: Uuid::now_v7(),
                    ..staff.clone()
                },
                None,
                None
            )
            .await,
        Err(StoreError::Taken(Unique::Identifier))
    ));
    assert_eq!(store.count_accounts().await.unwrap(), 1);
    // Staff are not registrations.
    assert!(
        store
            .registrations(AccountStatus::Invited)
            .await
            .unwrap()
            .is_empty()
    );
}
