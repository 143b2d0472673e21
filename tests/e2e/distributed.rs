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
#[ignore = "needs PostgreSQL (ID77_TEST_DATABASE_URL); run by cargo xtask test"]
async fn catalog_and_gateway_run_as_separate_processes_on_postgres() {
    let database_url = fresh_postgres_database().await;
    let grpc_port = free_port();
    let http_port = free_port();
    let (catalog_metrics, gateway_metrics) = (free_port(), free_port());
    let catalog = Process(
        Command::new(env!("CARGO_BIN_EXE_id77-catalog"))
            .env("ID77_DATABASE_URL", &database_url)
            .env("ID77_GRPC_ADDR", format!("127.0.0.1:{grpc_port}"))
            .env("ID77_METRICS_ADDR", format!("127.0.0.1:{catalog_metrics}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start id77-catalog"),
    );
    let gateway = Process(
        Command::new(env!("CARGO_BIN_EXE_id77-gateway"))
            .env("ID77_CATALOG_ADDR", format!("http://127.0.0.1:{grpc_port}"))
            .env("ID77_HTTP_ADDR", format!("127.0.0.1:{http_port}"))
            .env("ID77_METRICS_ADDR", format!("127.0.0.1:{gateway_metrics}"))
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

    // Each process has its Prometheus metrics, on its own port: the gateway by route and
    // status, the catalog by gRPC method and code.
    let scraped = get(&format!("http://127.0.0.1:{gateway_metrics}/metrics")).await;
    assert_eq!(scraped.status, 200);
    assert!(scraped.header("content-type").starts_with("text/plain"));
    let gateway_text = scraped.text();
    assert!(
        gateway_text
            .lines()
            .any(|line| line.starts_with("http_requests_total{")
                && line.contains(r#"route="/api/v1/offers""#)
                && line.contains(r#"status="200""#)),
        "{gateway_text}"
    );
    let catalog_text = get(&format!("http://127.0.0.1:{catalog_metrics}/metrics"))
        .await
        .text();
    assert!(
        catalog_text
            .lines()
            .any(|line| line.starts_with("grpc_server_requests_total{")
                && line.contains("/id77.catalog.v1.CatalogService/SearchOffers")
                && line.contains(r#"code="0""#)),
        "{catalog_text}"
    );
    assert!(
        catalog_text.contains("grpc_server_request_duration_seconds_bucket"),
        "{catalog_text}"
    );
    // The public port does not expose them.
    assert_eq!(get(&format!("{base}/metrics")).await.status, 404);

    // Readiness follows the catalog's database: without it the catalog reports NOT_SERVING
    // and the gateway is no longer ready (search still answers from the in-memory index).
    let (admin_url, name) = database_url.rsplit_once('/').unwrap();
    let mut admin = sqlx::PgConnection::connect(&format!("{admin_url}/postgres"))
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.ok();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let ready = get(&format!("{base}/readyz")).await;
        if ready.status == 503 {
            assert!(ready.text().contains("catalog"), "{}", ready.text());
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the gateway stayed ready without the catalog's database"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

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

/// A real SMTP server (Python's aiosmtpd) storing what it receives in a Maildir.
fn smtp_server(port: u16, maildir: &std::path::Path) -> Process {
    let python = crate::support::program("python3", "apt-get install python3");
    let has_aiosmtpd = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_aiosmtpd,
        "Python's aiosmtpd is required (python3 -m pip install aiosmtpd)"
    );
    Process(
        Command::new(python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd"),
    )
}

fn received(maildir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|m| crate::support::decode_quoted_printable(&m))
        .collect()
}

fn amqp_url() -> String {
    std::env::var("ID77_TEST_AMQP_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .expect("ID77_TEST_AMQP_URL must name RabbitMQ (cargo xtask test sets it)")
}

#[tokio::test]
#[ignore = "needs PostgreSQL, RabbitMQ and Python's aiosmtpd; run by cargo xtask test"]
async fn the_account_journey_crosses_four_processes_rabbitmq_and_smtp() {
    let amqp = amqp_url();
    let identity_db = fresh_postgres_database().await;
    let notifications_db = fresh_postgres_database().await;
    let catalog_db = fresh_postgres_database().await;
    let maildir = crate::support::temp_dir("id77-maildir");
    let smtp_port = free_port();
    let _smtp = smtp_server(smtp_port, &maildir);
    let signer = id77_kit::auth::Signer::generate().unwrap();
    let (identity_port, catalog_port, http_port) = (free_port(), free_port(), free_port());
    let base = format!("http://127.0.0.1:{http_port}");
    let admin_password = "Melun-Provins-Nemours-Meaux-77";
    let (collector, collector_addr) = crate::traces::Collector::start().await;
    let spawn = |name: &str, program: &str, env: Vec<(&str, String)>| {
        let mut command = Command::new(program);
        command
            .env("RUST_LOG", "warn")
            .env(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                format!("http://{collector_addr}"),
            )
            .env("OTEL_BSP_SCHEDULE_DELAY", "200")
            .stdout(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        Process(
            command
                .spawn()
                .unwrap_or_else(|e| panic!("start {name}: {e}")),
        )
    };
    let _identity = spawn(
        "identity",
        env!("CARGO_BIN_EXE_id77-identity"),
        vec![
            ("ID77_DATABASE_URL", identity_db),
            ("ID77_GRPC_ADDR", format!("127.0.0.1:{identity_port}")),
            ("ID77_JWT_PRIVATE_KEY", signer.private_key_base64()),
            ("ID77_BUS_URL", amqp.clone()),
            ("ID77_ADMIN_PASSWORD", admin_password.to_owned()),
        ],
    );
    let _notifications = spawn(
        "notifications",
        env!("CARGO_BIN_EXE_id77-notifications"),
        vec![
            ("ID77_DATABASE_URL", notifications_db),
            ("ID77_BUS_URL", amqp),
            ("ID77_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}")),
            ("ID77_PUBLIC_URL", base.clone()),
        ],
    );
    let _catalog = spawn(
        "catalog",
        env!("CARGO_BIN_EXE_id77-catalog"),
        vec![
            ("ID77_DATABASE_URL", catalog_db),
            ("ID77_GRPC_ADDR", format!("127.0.0.1:{catalog_port}")),
            ("ID77_JWT_PUBLIC_KEY", signer.public_key_base64()),
        ],
    );
    let _gateway = spawn(
        "gateway",
        env!("CARGO_BIN_EXE_id77-gateway"),
        vec![
            (
                "ID77_CATALOG_ADDR",
                format!("http://127.0.0.1:{catalog_port}"),
            ),
            (
                "ID77_IDENTITY_ADDR",
                format!("http://127.0.0.1:{identity_port}"),
            ),
            ("ID77_JWT_PUBLIC_KEY", signer.public_key_base64()),
            ("ID77_HTTP_ADDR", format!("127.0.0.1:{http_port}")),
        ],
    );
    wait_ready(&format!("{base}/readyz")).await;
    // The registration form's cantons come from identity over the network (ListCantons).
    let form = get(&format!("{base}/inscription")).await;
    assert_eq!(form.status, 200, "{}", form.text());
    let form = form.text();
    for canton in ["Champs-sur-Marne", "Fontainebleau", "Villeparisis"] {
        assert!(
            form.contains(&format!(r#"<option value="{canton}""#)),
            "{canton} is offered"
        );
    }
    let inbox = maildir.clone();
    let target = crate::accounts::Target {
        base,
        admin_password: admin_password.to_owned(),
        mails: Box::new(move || received(&inbox)),
    };
    let email = format!("mairie-{}@dammarie.example", uuid::Uuid::now_v7().simple());
    crate::accounts::journey(&target, "dammarie", &email, "21770421000012").await;
    // The notice mails of the journey went out too, and every link starts with the public URL.
    let all = received(&maildir);
    assert!(
        all.iter()
            .any(|m| m.contains(&email) && m.contains("bien été reçue"))
    );
    assert!(
        all.iter()
            .filter(|m| m.contains("?token="))
            .all(|m| m.contains(&format!("{}/", target.base)))
    );

    // One user action is one trace: a reset asked with a `traceparent` is continued by the
    // gateway, by identity's gRPC handler, and by the consumer that mails the link.
    let trace_id = uuid::Uuid::now_v7().simple().to_string();
    let traceparent = format!("00-{trace_id}-00f067aa0ba902b7-01");
    let reset = crate::support::send(
        hyper::Method::POST,
        &format!("{}/api/v1/password-resets", target.base),
        &[
            ("content-type", "application/json"),
            ("traceparent", &traceparent),
        ],
        serde_json::to_vec(&serde_json::json!({ "email": email })).unwrap(),
    )
    .await;
    assert_eq!(reset.status, 202, "{}", reset.text());
    let services = ["id77-gateway", "id77-identity", "id77-notifications"];
    let spans = collector.trace(&trace_id, &services).await;
    for service in services {
        assert!(
            spans.iter().any(|span| span.service == service),
            "no span of {service} in trace {trace_id}: {spans:#?}"
        );
    }
    assert!(
        spans
            .iter()
            .any(|span| span.service == "id77-notifications" && span.name == "event"),
        "{spans:#?}"
    );
    let _ = std::fs::remove_dir_all(&maildir);
}
