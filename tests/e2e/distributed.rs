//! The distributed deployment: `id77-catalog` on PostgreSQL and `id77-gateway` as two processes,
//! talking gRPC, stopped with SIGTERM like Kubernetes does.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use crate::support::{free_port, fresh_postgres_database, get, wait_ready};

/// Kills the process if the test fails before stopping it.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Process {
    /// SIGTERM, then waits: a graceful stop exits with status 0.
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.0.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(sent.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.0.try_wait().expect("wait") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "process {pid} ignored SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[tokio::test]
async fn catalog_and_gateway_run_as_separate_processes_on_postgres() {
    let Some(database_url) = fresh_postgres_database().await else {
        return;
    };
    let grpc_port = free_port();
    let http_port = free_port();
    let catalog = Process(
        Command::new(env!("CARGO_BIN_EXE_id77-catalog"))
            .env("ID77_DATABASE_URL", &database_url)
            .env("ID77_GRPC_ADDR", format!("127.0.0.1:{grpc_port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start id77-catalog"),
    );
    let gateway = Process(
        Command::new(env!("CARGO_BIN_EXE_id77-gateway"))
            .env("ID77_CATALOG_ADDR", format!("http://127.0.0.1:{grpc_port}"))
            .env("ID77_HTTP_ADDR", format!("127.0.0.1:{http_port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start id77-gateway"),
    );
    let base = format!("http://127.0.0.1:{http_port}");
    wait_ready(&format!("{base}/readyz")).await;

    let found = get(&format!("{base}/api/v1/offers?q=biodiversiter"))
        .await
        .json();
    assert_eq!(found["offers"][0]["code"], "O34");
    let page = get(&format!("{base}/?domain=tourisme")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Offres de service"));

    // The catalogue really is in PostgreSQL.
    use sqlx::Connection as _;
    let mut db = sqlx::PgConnection::connect(&database_url)
        .await
        .expect("connect to the test database");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM offers")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(
        u64::try_from(stored).unwrap(),
        get(&format!("{base}/api/v1/offers")).await.json()["total"]
            .as_u64()
            .unwrap()
    );
    db.close().await.ok();

    // Readiness follows the catalog: stop it and the gateway is no longer ready.
    assert!(
        catalog.terminate().success(),
        "id77-catalog stops cleanly on SIGTERM"
    );
    let not_ready = get(&format!("{base}/readyz")).await;
    assert_eq!(not_ready.status, 503);
    let problem = get(&format!("{base}/api/v1/offers")).await;
    assert_eq!(problem.status, 503);
    assert_eq!(problem.header("content-type"), "application/problem+json");
    assert!(
        gateway.terminate().success(),
        "id77-gateway stops cleanly on SIGTERM"
    );
}
