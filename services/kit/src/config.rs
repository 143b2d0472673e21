//! Configuration from `ID77_*` environment variables, each with a documented default; a bad
//! value stops the process with a message naming the variable.

use std::{fmt::Display, str::FromStr};

use anyhow::{Context as _, anyhow};

/// The variable parsed as `T`, or `default` when unset or empty.
pub fn var_or<T>(name: &str, default: T) -> anyhow::Result<T>
where
    T: FromStr,
    T::Err: Display,
{
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => value
            .trim()
            .parse()
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("invalid value for {name}: {value:?}")),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(default),
        Err(std::env::VarError::NotUnicode(_)) => Err(anyhow!("{name} is not valid UTF-8")),
    }
}

/// A yes/no variable: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
pub fn flag_or(name: &str, default: bool) -> anyhow::Result<bool> {
    match std::env::var(name)
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "" => Ok(default),
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(anyhow!(
            "invalid value for {name}: {other:?} (expected true or false)"
        )),
    }
}
