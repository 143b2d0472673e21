//! Time conversions shared by the JSON API and the web pages.

use chrono::{DateTime, Utc};

/// A protobuf timestamp as a UTC date-time (`None` when absent or out of range).
pub fn timestamp(t: Option<&prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0)))
}
