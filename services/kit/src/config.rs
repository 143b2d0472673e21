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

/// A secret variable (a key, a password, a URL with credentials), kept in a type that never
/// prints it; `None` when unset or empty.
pub fn secret(name: &str) -> anyhow::Result<Option<secrecy::SecretString>> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(Some(value.trim().into())),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(anyhow!("{name} is not valid UTF-8")),
    }
}

/// `ID77_GRPC_ADDR`: where a service listens for gRPC, `0.0.0.0:<port>` unless set.
pub fn grpc_addr(default_port: u16) -> anyhow::Result<std::net::SocketAddr> {
    var_or(
        "ID77_GRPC_ADDR",
        std::net::SocketAddr::from(([0, 0, 0, 0], default_port)),
    )
}

/// `ID77_HTTP_ADDR`: where a process listens for HTTP.
pub fn http_addr(default: std::net::SocketAddr) -> anyhow::Result<std::net::SocketAddr> {
    var_or("ID77_HTTP_ADDR", default)
}

/// `ID77_BUS_URL`: RabbitMQ (`amqp://…`, it may carry a password) or `memory:`.
pub fn bus_url() -> anyhow::Result<secrecy::SecretString> {
    Ok(secret("ID77_BUS_URL")?.unwrap_or_else(|| "amqp://guest:guest@127.0.0.1:5672/%2f".into()))
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    #[test]
    fn a_secret_does_not_show_in_debug() {
        let secret: secrecy::SecretString = "motdepasse-tres-secret".into();
        assert!(!format!("{secret:?}").contains("motdepasse"));
        assert_eq!(secret.expose_secret(), "motdepasse-tres-secret");
    }
}
