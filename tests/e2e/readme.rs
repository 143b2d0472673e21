//! README's configuration table holds every `ID77_*` variable the processes read, and nothing
//! else: a variable added to a `Config` without its line, or a line left for a variable no
//! longer read, fails here.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The source folders of the processes (the benchmark's own variables are in its section).
const SOURCES: &[&str] = &["src", "services", "gateway/src"];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            // Test suites and their support read test-only variables.
            if name != "tests" && name != "target" {
                rust_files(&path, found);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" && name != "testing.rs" {
            found.push(path);
        }
    }
}

/// `"ID77_…"` string literals of non-test code (a file's `#[cfg(test)]` module comes last).
fn variables_read() -> BTreeSet<String> {
    let mut files = Vec::new();
    for dir in SOURCES {
        rust_files(&Path::new(ROOT).join(dir), &mut files);
    }
    let mut names = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for piece in code.split("\"ID77_").skip(1) {
            let name: String = piece
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if piece[name.len()..].starts_with('"') {
                names.insert(format!("ID77_{name}"));
            }
        }
    }
    names
}

/// The `ID77_*` names in the first column of README's configuration table.
fn variables_documented() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let section = readme
        .split("## Configuration")
        .nth(1)
        .expect("README has a Configuration section");
    let section = section.split("\n## ").next().unwrap_or_default();
    let mut names = BTreeSet::new();
    for row in section.lines().filter(|l| l.starts_with('|')) {
        let first_cell = row.split('|').nth(1).unwrap_or_default();
        for piece in first_cell.split('`').filter(|p| p.starts_with("ID77_")) {
            names.insert(piece.to_owned());
        }
    }
    names
}

#[test]
fn the_configuration_table_lists_exactly_the_variables_read() {
    let read = variables_read();
    let documented = variables_documented();
    assert!(read.len() > 10, "the scan found the configs: {read:?}");
    let undocumented: Vec<_> = read.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&read).collect();
    assert!(
        undocumented.is_empty() && stale.is_empty(),
        "read but not in README's table: {undocumented:?}; in the table but not read: {stale:?}"
    );
}
