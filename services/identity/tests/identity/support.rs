//! Fresh databases, an identity service served on a random port, and shortcuts through the
//! registration life cycle for the tests.

use std::time::{Duration, Instant};

use id77_identity::{
    Config,
    store::{PgStore, SqliteStore, Store as _},
};
use id77_kit::bus::Event;
use id77_proto::{
    events::v1 as ev,
    identity::v1::{self as pb, identity_service_client::IdentityServiceClient},
};
use tokio::net::TcpListener;
use tonic::{Code, Request, Status, transport::Channel};

/// Names of the PostgreSQL databases the tests create, followed by a UUIDv7.
const TEST_DATABASE_PREFIX: &str = "id77_identity_test_";
/// How long `spawn_identity` waits for the service to answer.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// The bootstrap administrator's password in every test service.
pub const ADMIN_PASSWORD: &str = "Quatre chevaux blancs traversent la Seine";
/// A password that passes the policy for the test accounts.
pub const PASSWORD: &str = "Le héron gris pêche sous le pont de Samois";
/// Another one.
pub const OTHER_PASSWORD: &str = "Sept lanternes vertes au bord du canal";

/// Fresh, empty databases, one per call.
pub struct TestDb;

impl TestDb {
    /// The URL of a SQLite file that does not exist yet, under the system's temp directory.
    pub fn sqlite_url() -> String {
        id77_kit::testing::fresh_sqlite_url("id77-identity-tests")
    }

    /// A store on a fresh SQLite file (not migrated yet).
    pub async fn sqlite_store() -> SqliteStore {
        Self::sqlite_store_at(&Self::sqlite_url()).await
    }

    /// A store on the SQLite file of `url`.
    pub async fn sqlite_store_at(url: &str) -> SqliteStore {
        let pool = id77_kit::db::open_sqlite(url)
            .await
            .unwrap_or_else(|e| panic!("opening the SQLite test database {url}: {e:#}"));
        SqliteStore::new(pool)
    }

    /// The URL of a fresh, empty PostgreSQL database on the server named by
    /// `ID77_TEST_DATABASE_URL` (a test calling it is ignored unless asked for).
    pub async fn postgres_url() -> String {
        id77_kit::testing::fresh_postgres_url(TEST_DATABASE_PREFIX).await
    }

    /// A store on a fresh PostgreSQL database (not migrated yet); see [`TestDb::postgres_url`].
    pub async fn postgres_store() -> PgStore {
        let url = Self::postgres_url().await;
        let pool = id77_kit::db::open_postgres(&url).await.unwrap_or_else(|e| {
            panic!(
                "opening the PostgreSQL test database {}: {e:#}",
                id77_kit::db::redact(&url)
            )
        });
        PgStore::new(pool)
    }
}

/// The key that signs the access tokens of every test service.
pub fn signer() -> &'static id77_kit::auth::Signer {
    static SIGNER: std::sync::OnceLock<id77_kit::auth::Signer> = std::sync::OnceLock::new();
    SIGNER.get_or_init(|| id77_kit::auth::Signer::generate().expect("an Ed25519 key"))
}

/// An identity service on `127.0.0.1:0` over a fresh SQLite file, and a store on that file to
/// read the outbox and move times.
pub struct TestApp {
    /// A connected client.
    pub client: IdentityServiceClient<Channel>,
    /// The same database, for what the API does not show (the outbox, token expiry).
    pub store: SqliteStore,
}

/// Starts the identity service through `routes` on a fresh SQLite database.
pub async fn spawn_identity() -> TestApp {
    let url = TestDb::sqlite_url();
    let client = spawn_identity_on(&url).await;
    let store = TestDb::sqlite_store_at(&url).await;
    TestApp { client, store }
}

/// Starts the identity service through `routes` on the database of `url` and returns a
/// client once the service answers.
pub async fn spawn_identity_on(url: &str) -> IdentityServiceClient<Channel> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding a port for the identity service");
    let address = format!(
        "http://{}",
        listener
            .local_addr()
            .expect("reading the service's address")
    );
    let mut config = Config::new(url, signer().clone());
    config.admin_password = Some(ADMIN_PASSWORD.into());
    let (routes, _outbox) = id77_identity::routes(config)
        .await
        .unwrap_or_else(|e| panic!("building the identity service: {e:#}"));
    tokio::spawn(id77_kit::serve::serve_routes(
        routes,
        listener,
        std::future::pending(),
    ));
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        match IdentityServiceClient::connect(address.clone()).await {
            Ok(client) => return client,
            Err(error) => assert!(
                Instant::now() < deadline,
                "the identity service did not answer at {address}: {error:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `message` with `authorization: Bearer <access_token>`.
pub fn authed<T>(message: T, access_token: &str) -> Request<T> {
    let mut request = Request::new(message);
    id77_kit::auth::set_bearer(&mut request, access_token).expect("a valid header");
    request
}

/// A complete, valid registration form for `identifier` and `email`.
pub fn registration(identifier: &str, email: &str) -> pb::RegisterRequest {
    pb::RegisterRequest {
        organisation_name: "Commune de Melun".into(),
        categories: vec!["communes".into()],
        siret: "217 702 885 00013".into(),
        population: 41_000,
        canton: "Melun".into(),
        representative: Some(pb::Representative {
            title: "maire".into(),
            civility: "homme".into(),
            first_name: "Louis".into(),
            last_name: "Vogel".into(),
        }),
        admin_referent: Some(pb::Person {
            civility: "femme".into(),
            first_name: "Anne-Sophie".into(),
            last_name: "N'Guessan".into(),
        }),
        identifier: identifier.into(),
        email: email.into(),
        phone: "01 64 52 33 33".into(),
    }
}

/// The status of a call that must fail.
pub fn refused<T: std::fmt::Debug>(result: Result<tonic::Response<T>, Status>) -> Status {
    match result {
        Ok(response) => panic!("expected a refusal, got {:?}", response.into_inner()),
        Err(status) => status,
    }
}

/// Asserts the status code, with the message in the failure.
pub fn assert_code(status: &Status, code: Code) {
    assert_eq!(status.code(), code, "{}", status.message());
}

impl TestApp {
    /// The outbox's events of `kind`, oldest first.
    pub async fn events(&self, kind: &str) -> Vec<Event> {
        self.store
            .outbox()
            .await
            .expect("reading the outbox")
            .into_iter()
            .filter(|event| event.kind == kind)
            .collect()
    }

    /// The payload of the latest event of `kind` for which `pick` gives a value.
    pub async fn latest<M: prost::Message + Default, T>(
        &self,
        kind: &str,
        pick: impl Fn(&M) -> Option<T>,
    ) -> Option<T> {
        self.events(kind)
            .await
            .iter()
            .rev()
            .map(|event| M::decode(event.payload.as_slice()).expect("a decodable payload"))
            .find_map(|message| pick(&message))
    }

    /// The confirmation token sent to `identifier` at registration.
    pub async fn confirmation_token(&self, identifier: &str) -> String {
        self.latest(
            id77_identity::events::REGISTRATION_SUBMITTED,
            |m: &ev::RegistrationSubmitted| {
                (m.identifier == identifier).then(|| m.confirmation_token.clone())
            },
        )
        .await
        .unwrap_or_else(|| panic!("no RegistrationSubmitted for {identifier}"))
    }

    /// The invitation token sent when `account_id` was approved.
    pub async fn invitation_token(&self, account_id: &str) -> String {
        self.latest(
            id77_identity::events::REGISTRATION_APPROVED,
            |m: &ev::RegistrationApproved| {
                (m.account_id == account_id).then(|| m.invitation_token.clone())
            },
        )
        .await
        .unwrap_or_else(|| panic!("no RegistrationApproved for {account_id}"))
    }

    /// Logs in and returns the session.
    pub async fn login(&mut self, login: &str, password: &str) -> pb::Session {
        self.client
            .login(pb::LoginRequest {
                identifier: login.into(),
                password: password.into(),
                client_address: String::new(),
            })
            .await
            .unwrap_or_else(|status| panic!("logging in as {login}: {status:?}"))
            .into_inner()
    }

    /// The bootstrap administrator's access token.
    pub async fn admin_token(&mut self) -> String {
        self.login("admin", ADMIN_PASSWORD).await.access_token
    }

    /// Registers and confirms `identifier`; returns the account id (waiting for approval).
    pub async fn registered(&mut self, identifier: &str, email: &str) -> String {
        self.client
            .register(registration(identifier, email))
            .await
            .expect("registering");
        let token = self.confirmation_token(identifier).await;
        self.client
            .confirm_email(pb::ConfirmEmailRequest { token })
            .await
            .expect("confirming the address");
        self.latest(
            id77_identity::events::REGISTRATION_SUBMITTED,
            |m: &ev::RegistrationSubmitted| {
                (m.identifier == identifier).then(|| m.account_id.clone())
            },
        )
        .await
        .expect("the account id in the event")
    }

    /// Takes `identifier` through the whole life cycle with [`PASSWORD`]; returns its first
    /// session.
    pub async fn active_member(&mut self, identifier: &str, email: &str) -> pb::Session {
        let account_id = self.registered(identifier, email).await;
        let admin = self.admin_token().await;
        self.client
            .approve_registration(authed(
                pb::ApproveRegistrationRequest {
                    account_id: account_id.clone(),
                },
                &admin,
            ))
            .await
            .expect("approving");
        let token = self.invitation_token(&account_id).await;
        self.client
            .accept_invitation(pb::AcceptInvitationRequest {
                token,
                password: PASSWORD.into(),
            })
            .await
            .expect("accepting the invitation");
        self.login(identifier, PASSWORD).await
    }
}

/// Decodes an event's payload.
pub fn decode<M: prost::Message + Default>(event: &Event) -> M {
    M::decode(event.payload.as_slice()).expect("a decodable payload")
}
