//! The all-in-one ID77 platform: every service and the gateway in one process, on embedded
//! defaults (SQLite files under the data directory). The gateway still calls the services
//! through their gRPC clients and servers (in-process, without a socket), so this runs the same
//! code paths as the distributed deployment.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context as _;
use tokio::{net::TcpListener, task::JoinSet};
use tokio_util::sync::CancellationToken;

/// All-in-one settings (`ID77_HTTP_ADDR`, `ID77_DATA_DIR`, `ID77_SEED_DEMO`).
#[derive(Debug, Clone)]
pub struct Config {
    pub http_addr: SocketAddr,
    pub data_dir: PathBuf,
    pub seed_demo: bool,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        use id77_kit::config::{flag_or, var_or};
        Ok(Self {
            http_addr: var_or("ID77_HTTP_ADDR", SocketAddr::from(([127, 0, 0, 1], 8080)))?,
            data_dir: var_or("ID77_DATA_DIR", PathBuf::from("data"))?,
            seed_demo: flag_or("ID77_SEED_DEMO", true)?,
        })
    }
}

/// A running platform: its HTTP address, and a handle to stop it.
pub struct Platform {
    pub http_addr: SocketAddr,
    stop: CancellationToken,
    tasks: JoinSet<anyhow::Result<()>>,
}

impl Platform {
    /// Starts every service and the gateway; HTTP is served on `http_listener`.
    pub async fn start(config: Config, http_listener: TcpListener) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("creating the data directory {}", config.data_dir.display())
        })?;
        let stop = CancellationToken::new();
        let mut tasks = JoinSet::new();

        let catalog = id77_catalog::routes(id77_catalog::Config {
            database_url: format!("sqlite://{}", config.data_dir.join("catalog.db").display()),
            seed_demo: config.seed_demo,
            verifier: None,
        })
        .await?;
        // The gateway calls the catalog's gRPC service in-process: same protobuf messages and
        // status codes as over the network, without a socket in between.
        let state = id77_gateway::AppState::new(id77_gateway::state::in_process(catalog));
        let http_addr = http_listener.local_addr()?;
        tasks.spawn(id77_gateway::run(
            state,
            http_listener,
            stop.clone().cancelled_owned(),
        ));
        Ok(Self {
            http_addr,
            stop,
            tasks,
        })
    }

    /// Asks every part to stop, waits for them, and reports the first failure.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.stop.cancel();
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
                self.stop.cancel();
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
