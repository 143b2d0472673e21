//! Sending e-mail: SMTP in the distributed deployment (`smtp://` or `smtps://` URL, lettre's
//! syntax, with `?tls=required` or `?tls=opportunistic` for STARTTLS), or one `.eml` file per
//! message in a folder for the all-in-one process.

use std::path::PathBuf;

use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};

/// A message ready to send: both an HTML and a plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The address or content cannot make a message: sending again will not help.
    #[error("invalid message: {0}")]
    Invalid(String),
    /// The server or disk failed: worth trying again later.
    #[error("sending failed: {0}")]
    Transient(String),
}

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files {
        folder: PathBuf,
        transport: AsyncFileTransport<Tokio1Executor>,
    },
}

impl Mailer {
    /// `smtp://…`/`smtps://…` for a server, `file:///path` (or a bare path) for a folder.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("smtp://") || url.starts_with("smtps://") {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| anyhow::anyhow!("invalid SMTP URL: {e}"))?
                .build();
            return Ok(Self::Smtp(transport));
        }
        let folder = PathBuf::from(url.strip_prefix("file://").unwrap_or(url));
        std::fs::create_dir_all(&folder)
            .map_err(|e| anyhow::anyhow!("creating the mail folder {}: {e}", folder.display()))?;
        Ok(Self::Files {
            transport: AsyncFileTransport::new(&folder),
            folder,
        })
    }

    /// Whether messages stay on this machine (then their links are logged for the developer).
    pub fn is_local(&self) -> bool {
        matches!(self, Self::Files { .. })
    }

    pub async fn send(&self, from: &Mailbox, mail: &Mail) -> Result<(), MailError> {
        let to: Mailbox = format!(
            "{} <{}>",
            mail.to_name.replace(['<', '>', '"'], ""),
            mail.to
        )
        .parse()
        .or_else(|_| mail.to.parse())
        .map_err(|e| MailError::Invalid(format!("recipient {:?}: {e}", mail.to)))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| MailError::Invalid(e.to_string()))?;
        match self {
            Self::Smtp(transport) => transport
                .send(message)
                .await
                .map(drop)
                .map_err(|e| MailError::Transient(e.to_string())),
            Self::Files { folder, transport } => {
                let id = transport
                    .send(message)
                    .await
                    .map_err(|e| MailError::Transient(e.to_string()))?;
                tracing::info!(file = %folder.join(format!("{id}.eml")).display(), to = %mail.to, subject = %mail.subject, "mail written");
                Ok(())
            }
        }
    }
}
