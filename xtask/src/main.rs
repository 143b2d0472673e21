//! `cargo xtask test`: the project's one test command.
//!
//! Plain `cargo test` runs the unit tests and the in-process suites and reports the tests that
//! need an outside service (PostgreSQL, RabbitMQ, an SMTP server, Chromium) as ignored. This
//! task makes those services available on a Debian machine — installing what is missing from
//! the distribution's packages and PyPI, starting what is down — points the tests at them, and
//! runs every test, the ignored ones included, so that none is counted without having run.
//!
//! Arguments after `test` go to `cargo test` (e.g. `cargo xtask test -p id77-identity`).

use std::{
    io::{BufRead as _, BufReader, Write as _},
    path::Path,
    process::{Command, ExitCode, Stdio},
    thread,
    time::{Duration, Instant},
};

const DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("test") => match test(args.collect()) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("xtask test: {message}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("usage: cargo xtask test [cargo test arguments]");
            ExitCode::FAILURE
        }
    }
}

fn test(cargo_args: Vec<String>) -> Result<ExitCode, String> {
    let mut packages = Vec::new();
    if !on_path("chromium") || !on_path("chromedriver") {
        packages.extend(["chromium", "chromium-driver"]);
    }
    if !on_path("pg_ctlcluster") {
        packages.push("postgresql");
    }
    if !on_path("rabbitmq-server") {
        packages.push("rabbitmq-server");
    }
    if !packages.is_empty() {
        step(&format!("installing {}", packages.join(", ")));
        run(Command::new("apt-get").args(["update", "-qq"]))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(&packages)
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    if !succeeds(Command::new("python3").args(["-c", "import aiosmtpd"])) {
        step("installing aiosmtpd (PyPI)");
        run(Command::new("python3").args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "aiosmtpd",
        ]))?;
    }
    start_postgres()?;
    start_rabbitmq()?;

    step("cargo test, ignored tests included");
    let database_url = var_or("ID77_TEST_DATABASE_URL", DATABASE_URL);
    let amqp_url = var_or("ID77_TEST_AMQP_URL", AMQP_URL);
    let (separator, test_args) = split_test_args(cargo_args);
    let mut child = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["test", "--locked"])
        // Without a package named, the whole workspace.
        .args(separator.is_empty().then_some("--workspace"))
        .args(&separator)
        .arg("--")
        .arg("--include-ignored")
        .args(&test_args)
        .env("ID77_TEST_DATABASE_URL", database_url)
        .env("ID77_TEST_AMQP_URL", amqp_url)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting cargo test: {e}"))?;
    // The test harness's summaries are on stdout: echoed as they come, and added up for one
    // closing line (cargo's own last line is the last crate's, often empty, doc-test run).
    let mut totals = Totals::default();
    if let Some(stdout) = child.stdout.take() {
        let mut out = std::io::stdout().lock();
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("reading cargo test's output: {e}"))?;
            totals.add(&line);
            // A closed stdout (e.g. `| head`) must not stop the tests.
            let _ = writeln!(out, "{line}");
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo test: {e}"))?;
    println!();
    println!("tests: {} passed, {} failed", totals.passed, totals.failed);
    Ok(if status.success() && totals.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Splits the caller's arguments into those for cargo and those after `--` for the harness.
fn split_test_args(args: Vec<String>) -> (Vec<String>, Vec<String>) {
    match args.iter().position(|a| a == "--") {
        Some(at) => (args[..at].to_vec(), args[at + 1..].to_vec()),
        None => (args, Vec::new()),
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Totals {
    passed: u64,
    failed: u64,
}

impl Totals {
    /// Adds a harness summary, `test result: ok. 12 passed; 0 failed; 3 ignored; …`.
    fn add(&mut self, line: &str) {
        let Some(rest) = line.strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(['.', ';']) {
            let mut words = part.split_whitespace();
            if let (Some(count), Some(what)) = (words.next(), words.next()) {
                let count = count.parse::<u64>().unwrap_or(0);
                match what {
                    "passed" => self.passed += count,
                    "failed" => self.failed += count,
                    _ => {}
                }
            }
        }
    }
}

fn start_postgres() -> Result<(), String> {
    let ready =
        || succeeds(Command::new("pg_isready").args(["-h", "127.0.0.1", "-p", "5432", "-q"]));
    if ready() {
        return Ok(());
    }
    step("starting PostgreSQL");
    let versions = std::fs::read_dir("/etc/postgresql").map_err(|e| {
        format!("PostgreSQL is installed but has no cluster (/etc/postgresql: {e})")
    })?;
    for version in versions.flatten() {
        let version = version.file_name();
        // An already running cluster makes this fail; readiness below is what counts.
        let _ = Command::new("pg_ctlcluster")
            .arg("--skip-systemctl-redirect")
            .arg(&version)
            .args(["main", "start"])
            .status();
    }
    wait_for(
        "PostgreSQL on 127.0.0.1:5432",
        Duration::from_secs(30),
        ready,
    )
}

fn start_rabbitmq() -> Result<(), String> {
    let ready = || succeeds(Command::new("rabbitmq-diagnostics").args(["-q", "ping"]));
    if ready() {
        return Ok(());
    }
    step("starting RabbitMQ");
    let _ = Command::new("rabbitmq-server").arg("-detached").status();
    wait_for("RabbitMQ on 127.0.0.1:5672", Duration::from_secs(90), ready)
}

fn wait_for(what: &str, patience: Duration, ready: impl Fn() -> bool) -> Result<(), String> {
    let deadline = Instant::now() + patience;
    while Instant::now() < deadline {
        if ready() {
            return Ok(());
        }
        thread::sleep(Duration::from_secs(1));
    }
    Err(format!("{what} did not become ready within {patience:?}"))
}

fn step(what: &str) {
    eprintln!("\n== {what}");
}

fn var_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| Path::new(&dir).join(program).is_file())
    })
}

fn succeeds(command: &mut Command) -> bool {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("{command:?} could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed ({status})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_added_up() {
        let mut totals = Totals::default();
        totals.add("test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 0 filtered out; finished in 0.2s");
        totals
            .add("test result: FAILED. 4 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out");
        totals.add("test something ... ok");
        assert_eq!(
            totals,
            Totals {
                passed: 16,
                failed: 2
            }
        );
    }

    #[test]
    fn arguments_after_a_separator_go_to_the_harness() {
        let args = ["-p", "id77-kit", "--", "bus"].map(String::from).to_vec();
        assert_eq!(
            split_test_args(args),
            (
                vec!["-p".to_owned(), "id77-kit".to_owned()],
                vec!["bus".to_owned()]
            )
        );
    }
}
