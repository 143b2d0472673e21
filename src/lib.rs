//! The all-in-one ID77 platform: every service and the gateway in one process, on embedded
//! defaults: SQLite files under the data directory, the in-memory event bus, e-mails written
//! as `.eml` files under `mail/`. The gateway still calls the services through their gRPC
//! clients and servers (in-process, without a socket), and events still go through each
//! service's outbox, so this runs the same code paths as the distributed deployment.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::Context as _;
use id77_kit::{
    auth::Signer,
    bus::{Bus, MemoryBus, Subscriber},
};
use tokio::{net::TcpListener, task::JoinSet};
use tokio_util::sync::CancellationToken;

/// All-in-one settings (`ID77_HTTP_ADDR`, `ID77_DATA_DIR`, `ID77_SEED_DEMO`,
/// `ID77_PUBLIC_URL`, `ID77_ADMIN_PASSWORD`).
#[derive(Debug, Clone)]
pub struct Config {
    pub http_addr: SocketAddr,
    pub data_dir: PathBuf,
    pub seed_demo: bool,
    /// Where links in mails lead; empty means `http://<http_addr>`.
    pub public_url: String,
    /// Password of the bootstrap `admin` of a new platform; `None` generates one and logs it once.
    /// `ID77_ADMIN_PASSWORD`; unset, one is generated and logged once.
    pub admin_password: Option<secrecy::SecretString>,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        use id77_kit::config::{flag_or, http_addr, secret, var_or};
        Ok(Self {
            http_addr: http_addr(SocketAddr::from(([127, 0, 0, 1], 8080)))?,
            data_dir: var_or("ID77_DATA_DIR", PathBuf::from("data"))?,
            seed_demo: flag_or("ID77_SEED_DEMO", true)?,
            public_url: var_or("ID77_PUBLIC_URL", String::new())?,
            admin_password: secret(id77_identity::ADMIN_PASSWORD_VAR)?,
        })
    }
}

/// The token signing key: `ID77_JWT_PRIVATE_KEY`, else one kept in the data directory (made on
/// first start), so that sessions survive a restart.
fn signing_key(data_dir: &Path) -> anyhow::Result<Signer> {
    if std::env::var(id77_kit::auth::PRIVATE_KEY_VAR).is_ok_and(|k| !k.trim().is_empty()) {
        return Signer::from_env();
    }
    let path = data_dir.join("jwt-ed25519.key");
    if let Ok(encoded) = std::fs::read_to_string(&path) {
        return Signer::from_base64(encoded.trim())
            .map_err(|e| anyhow::anyhow!("invalid key in {}: {e}", path.display()));
    }
    let signer = Signer::generate()?;
    write_private(&path, &signer.private_key_base64())
        .with_context(|| format!("writing the signing key {}", path.display()))?;
    Ok(signer)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::{io::Write as _, os::unix::fs::OpenOptionsExt as _};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

fn sqlite(data_dir: &Path, name: &str) -> String {
    format!("sqlite://{}", data_dir.join(name).display())
}

/// A running platform: its HTTP address, and a handle to stop it.
pub struct Platform {
    pub http_addr: SocketAddr,
    stop: CancellationToken,
    tasks: JoinSet<anyhow::Result<()>>,
    notifications: Option<Subscriber>,
}

impl Platform {
    /// Starts every service and the gateway; HTTP is served on `http_listener`.
    pub async fn start(config: Config, http_listener: TcpListener) -> anyhow::Result<Self> {
        let data_dir = &config.data_dir;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
        let http_addr = http_listener.local_addr()?;
        let public_url = if config.public_url.is_empty() {
            format!("http://{http_addr}")
        } else {
            config.public_url.trim_end_matches('/').to_owned()
        };
        let stop = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let bus = Bus::from(MemoryBus::new());
        let signer = signing_key(data_dir)?;
        let verifier = signer.verifier()?;

        // Subscribe before anything publishes, so that no event finds no queue.
        let notifications = id77_notifications::start(
            id77_notifications::Config {
                database_url: sqlite(data_dir, "notifications.db"),
                mail_url: format!("file://{}", data_dir.join("mail").display()).into(),
                mail_from: "ID77 <ne-pas-repondre@id77.local>".to_owned(),
                public_url: public_url.clone(),
            },
            &bus,
        )
        .await?;

        let mut identity_config =
            id77_identity::Config::new(sqlite(data_dir, "identity.db"), signer);
        identity_config.admin_password = config.admin_password.clone();
        let (identity, outbox) = id77_identity::routes(identity_config).await?;
        let relay_stop = stop.clone();
        tasks.spawn(async move {
            outbox.relay(bus, relay_stop).await;
            Ok(())
        });

        let catalog = id77_catalog::routes(id77_catalog::Config {
            database_url: sqlite(data_dir, "catalog.db"),
            seed_demo: config.seed_demo,
            verifier: Some(verifier.clone()),
        })
        .await?;

        // The gateway calls the services' gRPC routes in-process: same protobuf messages and
        // status codes as over the network, without a socket in between.
        let state = id77_gateway::AppState::new(
            id77_gateway::Services {
                catalog: id77_gateway::state::in_process(catalog),
                identity: Some(id77_gateway::state::in_process(identity)),
            },
            id77_gateway::Settings {
                verifier: Some(verifier),
                public_url,
            },
        );
        tasks.spawn(id77_gateway::run(
            state,
            http_listener,
            stop.clone().cancelled_owned(),
        ));
        Ok(Self {
            http_addr,
            stop,
            tasks,
            notifications: Some(notifications),
        })
    }

    /// Asks every part to stop, waits for them, and reports the first failure.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.stop.cancel();
        if let Some(notifications) = self.notifications.take() {
            notifications.stop().await;
        }
        let mut result = Ok(());
        while let Some(joined) = self.tasks.join_next().await {
            let outcome = joined.context("a platform task panicked").and_then(|r| r);
            if let Err(error) = outcome {
                tracing::error!(error = format!("{error:#}"), "platform task failed");
                if result.is_ok() {
                    result = Err(error);
                }
            }
        }
        result
    }

    /// Runs until `signal` resolves or a part fails, then stops everything.
    pub async fn run_until(
        mut self,
        signal: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        tokio::select! {
            () = signal => {}
            Some(joined) = self.tasks.join_next() => {
                let error = joined.context("a platform task panicked").and_then(|r| r).err();
                let rest = self.shutdown().await;
                return match error {
                    Some(error) => Err(error),
                    None => rest.and(Err(anyhow::anyhow!("a platform task stopped unexpectedly"))),
                };
            }
        }
        self.shutdown().await
    }
}
