//! Load benchmark of the catalogue search (`GET /api/v1/offers?q=…`).
//!
//! Run from the repository root after a build with the `dist` profile (thin LTO, as the image):
//!
//! ```text
//! cargo build --profile dist --bins && ./target/dist/id77-bench
//! ```
//!
//! It starts, as separate processes: a bare axum server answering the same bytes as the API (the
//! ceiling), the all-in-one app, and the distributed pair (catalog on PostgreSQL + gateway); loads
//! each for the same time with the same concurrency and prints requests/s, p50, p99 and the ratio
//! to the bare handler. Then it measures search latency on a catalogue of 10,000 generated offers,
//! and the all-in-one resident memory after its run.
//!
//! Settings: `BENCH_SECONDS` (default 10), `BENCH_CONNECTIONS` (default 32),
//! `ID77_BENCH_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/postgres; the bench
//! creates and drops its own database there; set it to `none` to skip the distributed pair).

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use hdrhistogram::Histogram;
use http_body_util::{BodyExt as _, Empty};
use hyper::body::Bytes;
use id77_catalog::store::{SqliteStore, Store as _};

const QUERY: &str = "/api/v1/offers?q=amenagement";
/// Queries for the 10,000-offer run: words, plurals, a typo, filters, codes, paging.
const SCALE_QUERIES: &[&str] = &[
    "/api/v1/offers?q=amenagements",
    "/api/v1/offers?q=biodiversiter",
    "/api/v1/offers?q=eau+potable&domain=eau-assainissement",
    "/api/v1/offers?q=renovation+energetique&sort=title",
    "/api/v1/offers?domain=tourisme&domain=culture-patrimoine-archives&page=3",
    "/api/v1/offers?typology=reservation-expositions&per_page=50",
    "/api/v1/offers?code=O34",
    "/api/v1/offers?q=exposition+patrimoine&typology=reservation-expositions",
    "/api/v1/offers?q=sensibilisation",
    "/api/v1/offers",
];

struct Process {
    name: &'static str,
    child: Child,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("{} did not stop on SIGTERM, killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    fn rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }
}

fn spawn(
    name: &'static str,
    program: &Path,
    args: &[&str],
    env: &[(&str, String)],
) -> anyhow::Result<Process> {
    let mut command = Command::new(program);
    command
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command
        .spawn()
        .with_context(|| format!("starting {}", program.display()))?;
    Ok(Process { name, child })
}

fn free_addr() -> anyhow::Result<SocketAddr> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

async fn fetch(addr: SocketAddr, path: &str) -> anyhow::Result<(u16, Bytes)> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = hyper::Request::get(path)
        .header("host", addr.to_string())
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    Ok((status, response.into_body().collect().await?.to_bytes()))
}

async fn wait_ready(addr: SocketAddr, path: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok((200, _)) = fetch(addr, path).await {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{addr}{path} not ready after 60 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct Figures {
    requests: u64,
    errors: u64,
    seconds: f64,
    histogram: Histogram<u64>,
}

impl Figures {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
    fn ms(&self, quantile: f64) -> f64 {
        self.histogram.value_at_quantile(quantile) as f64 / 1000.0
    }
}

/// `connections` keep-alive connections, each sending its next request as soon as the last
/// one is answered, for `seconds` (after one second of warm-up that is not counted).
async fn load(
    addr: SocketAddr,
    paths: &'static [&'static str],
    connections: usize,
    seconds: u64,
) -> anyhow::Result<Figures> {
    let warmup = Instant::now() + Duration::from_secs(1);
    let end = warmup + Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for worker in 0..connections {
        workers.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let (mut requests, mut errors) = (0u64, 0u64);
            let stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
            tokio::spawn(connection);
            let mut i = worker;
            loop {
                let started = Instant::now();
                if started >= end {
                    break;
                }
                let path = paths[i % paths.len()];
                i += 1;
                let request = hyper::Request::get(path)
                    .header("host", "bench")
                    .body(Empty::<Bytes>::new())?;
                let ok = match sender.send_request(request).await {
                    Ok(response) => {
                        let ok = response.status().is_success();
                        response.into_body().collect().await.is_ok() && ok
                    }
                    Err(_) => false,
                };
                if started >= warmup {
                    if ok {
                        requests += 1;
                        histogram.record(
                            u64::try_from(started.elapsed().as_micros())
                                .unwrap_or(u64::MAX)
                                .max(1),
                        )?;
                    } else {
                        errors += 1;
                    }
                }
                if !ok {
                    bail!("request {path} failed");
                }
            }
            anyhow::Ok((histogram, requests, errors))
        }));
    }
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let (mut requests, mut errors) = (0, 0);
    for worker in workers {
        let (h, r, e) = worker.await??;
        histogram.add(h)?;
        requests += r;
        errors += e;
    }
    Ok(Figures {
        requests,
        errors,
        seconds: seconds as f64,
        histogram,
    })
}

fn report(name: &str, figures: &Figures, bare_rps: Option<f64>) {
    let ratio = bare_rps.map_or(String::from("   —"), |bare| {
        format!("{:.2}", figures.rps() / bare)
    });
    println!(
        "{name:<34} {:>10.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ratio {ratio}   ({} errors)",
        figures.rps(),
        figures.ms(0.50),
        figures.ms(0.99),
        figures.errors
    );
}

/// Serves `body` as JSON on `addr` with axum and nothing else: the ceiling to compare with.
async fn bare_server(addr: &str, body_file: &str) -> anyhow::Result<()> {
    let body = Bytes::from(std::fs::read(body_file)?);
    let app = axum::Router::new().route(
        "/api/v1/offers",
        axum::routing::get(move || {
            let body = body.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    body,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app)
        .with_graceful_shutdown(id77_kit::shutdown::signal())
        .await?;
    Ok(())
}

async fn create_database(base: &str, name: &str) -> anyhow::Result<String> {
    use sqlx::Connection as _;
    let mut admin = sqlx::PgConnection::connect(base)
        .await
        .context("connecting to PostgreSQL")?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut admin)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    let (prefix, _) = base
        .rsplit_once('/')
        .context("database URL without a path")?;
    Ok(format!("{prefix}/{name}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--bare-server") {
        return bare_server(&args[2], &args[3]).await;
    }
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let connections: usize = std::env::var("BENCH_CONNECTIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    let bin_dir: PathBuf = std::env::current_exe()?
        .parent()
        .context("bench binary has no folder")?
        .to_owned();
    let work = std::env::temp_dir().join(format!("id77-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&work)?;
    println!(
        "ID77 search benchmark: {connections} connections, {seconds} s per run, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("query: GET {QUERY}\n");

    // All-in-one.
    let aio_addr = free_addr()?;
    let aio = spawn(
        "id77",
        &bin_dir.join("id77"),
        &[],
        &[
            ("ID77_HTTP_ADDR", aio_addr.to_string()),
            ("ID77_DATA_DIR", work.join("aio").display().to_string()),
        ],
    )?;
    wait_ready(aio_addr, "/readyz").await?;
    let (status, body) = fetch(aio_addr, QUERY).await?;
    if status != 200 {
        bail!("the all-in-one app answered {status} to {QUERY}");
    }
    let body_file = work.join("body.json");
    std::fs::write(&body_file, &body)?;

    // Bare handler with the same bytes.
    let bare_addr = free_addr()?;
    let bare = spawn(
        "bare",
        &std::env::current_exe()?,
        &[
            "--bare-server",
            &bare_addr.to_string(),
            &body_file.display().to_string(),
        ],
        &[],
    )?;
    wait_ready(bare_addr, "/api/v1/offers").await?;
    let bare_figures = load(bare_addr, &[QUERY], connections, seconds).await?;
    report("bare axum handler (same bytes)", &bare_figures, None);
    drop(bare);
    let bare_rps = Some(bare_figures.rps());

    let aio_figures = load(aio_addr, &[QUERY], connections, seconds).await?;
    report("all-in-one (gateway + catalog)", &aio_figures, bare_rps);
    let aio_rss = aio.rss_mib();
    drop(aio);

    // Distributed pair on PostgreSQL.
    let database_base = std::env::var("ID77_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    if database_base != "none" {
        let database_url = create_database(&database_base, "id77_bench_catalog").await?;
        let grpc_addr = free_addr()?;
        let http_addr = free_addr()?;
        let catalog = spawn(
            "id77-catalog",
            &bin_dir.join("id77-catalog"),
            &[],
            &[
                ("ID77_DATABASE_URL", database_url),
                ("ID77_GRPC_ADDR", grpc_addr.to_string()),
            ],
        )?;
        let gateway = spawn(
            "id77-gateway",
            &bin_dir.join("id77-gateway"),
            &[],
            &[
                ("ID77_CATALOG_ADDR", format!("http://{grpc_addr}")),
                ("ID77_HTTP_ADDR", http_addr.to_string()),
            ],
        )?;
        wait_ready(http_addr, "/readyz").await?;
        let figures = load(http_addr, &[QUERY], connections, seconds).await?;
        report("distributed (gateway → catalog/PG)", &figures, bare_rps);
        drop(gateway);
        drop(catalog);
    } else {
        println!("distributed pair skipped (ID77_BENCH_DATABASE_URL=none)");
    }

    // 10,000 offers.
    let scale_dir = work.join("scale");
    std::fs::create_dir_all(&scale_dir)?;
    let pool = id77_kit::db::open_sqlite(&format!(
        "sqlite://{}",
        scale_dir.join("catalog.db").display()
    ))
    .await?;
    let store = SqliteStore::new(pool.clone());
    store.migrate().await?;
    store
        .upsert(&id77_catalog::seed::synthetic_catalog(10_000)?)
        .await?;
    pool.close().await;
    let scale_addr = free_addr()?;
    let scale = spawn(
        "id77 (10,000 offers)",
        &bin_dir.join("id77"),
        &[],
        &[
            ("ID77_HTTP_ADDR", scale_addr.to_string()),
            ("ID77_DATA_DIR", scale_dir.display().to_string()),
            ("ID77_SEED_DEMO", "false".to_owned()),
        ],
    )?;
    wait_ready(scale_addr, "/readyz").await?;
    let (_, all) = fetch(scale_addr, "/api/v1/offers?per_page=1").await?;
    let total = serde_total(&all);
    let figures = load(scale_addr, SCALE_QUERIES, connections, seconds).await?;
    report(
        &format!("search, {total} offers (10 queries)"),
        &figures,
        None,
    );
    let single = load(scale_addr, SCALE_QUERIES, 1, seconds.min(5)).await?;
    report(
        &format!("search, {total} offers, 1 connection"),
        &single,
        None,
    );
    let scale_rss = scale.rss_mib();
    drop(scale);

    println!();
    if let Some(rss) = aio_rss {
        println!("all-in-one resident memory after its run: {rss:.1} MiB");
    }
    if let Some(rss) = scale_rss {
        println!("all-in-one resident memory with 10,000 offers: {rss:.1} MiB");
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// The `total` of an offers page, read without a JSON dependency for one number.
fn serde_total(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.split("\"total\":")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or("?")
        .to_owned()
}
