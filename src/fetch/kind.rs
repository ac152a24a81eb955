//! What became of one fetch, as source health records it: one kind per outcome.

use super::{FetchError, Outcome};

/// The kind of one fetch outcome. Failures say where the trouble lay (name lookup,
/// connection, TLS, time, the server's answer); the rest say what the page gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutcomeKind {
    /// A body was received (a feed read, or an article page analysed).
    Ok,
    /// 304: nothing changed since the last look.
    NotModified,
    Dns,
    Connect,
    Tls,
    Timeout,
    /// An HTTP error status (4xx, 5xx).
    Http(u16),
    /// robots.txt forbids the URL. (One that could not be read, which puts the whole site off
    /// limits, takes the kind of that failure: `dns`, `timeout`, `http 503`.)
    Robots,
    /// The server asked us (with Retry-After) to come back after this run.
    Deferred,
    /// The body is not HTML (a PDF, an image).
    NotHtml,
    /// An HTML page from which no article text could be extracted (a paywall, a page built
    /// by JavaScript).
    Empty,
    /// An article set aside by the source's `keywords` or `min_relevance`.
    Filtered,
    /// Anything else that failed: a bad URL, a refused address, an oversized body, a page
    /// whose analysis failed.
    Other,
}

impl OutcomeKind {
    /// The name stored and shown (`http` for every status; see [`OutcomeKind::status`]).
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Ok => "ok",
            OutcomeKind::NotModified => "not_modified",
            OutcomeKind::Dns => "dns",
            OutcomeKind::Connect => "connect",
            OutcomeKind::Tls => "tls",
            OutcomeKind::Timeout => "timeout",
            OutcomeKind::Http(_) => "http",
            OutcomeKind::Robots => "robots",
            OutcomeKind::Deferred => "deferred",
            OutcomeKind::NotHtml => "not_html",
            OutcomeKind::Empty => "empty",
            OutcomeKind::Filtered => "filtered",
            OutcomeKind::Other => "other",
        }
    }

    /// The HTTP status of an `http` outcome.
    pub fn status(self) -> Option<u16> {
        match self {
            OutcomeKind::Http(status) => Some(status),
            _ => None,
        }
    }

    /// The kind with its status, as `status` shows it: `http 403`, `timeout`.
    pub fn label(self) -> String {
        match self {
            OutcomeKind::Http(status) => format!("http {status}"),
            other => other.as_str().to_string(),
        }
    }

    /// Reads a stored kind back (an unknown name is `other`).
    pub fn from_stored(kind: &str, status: Option<u16>) -> OutcomeKind {
        match kind {
            "ok" => OutcomeKind::Ok,
            "not_modified" => OutcomeKind::NotModified,
            "dns" => OutcomeKind::Dns,
            "connect" => OutcomeKind::Connect,
            "tls" => OutcomeKind::Tls,
            "timeout" => OutcomeKind::Timeout,
            "http" => OutcomeKind::Http(status.unwrap_or(0)),
            "robots" => OutcomeKind::Robots,
            "deferred" => OutcomeKind::Deferred,
            "not_html" => OutcomeKind::NotHtml,
            "empty" => OutcomeKind::Empty,
            "filtered" => OutcomeKind::Filtered,
            _ => OutcomeKind::Other,
        }
    }

    /// Whether the source failed to answer usefully: these make an error streak; anything
    /// else (a page answered, even an empty one) ends it.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            OutcomeKind::Dns
                | OutcomeKind::Connect
                | OutcomeKind::Tls
                | OutcomeKind::Timeout
                | OutcomeKind::Http(_)
                | OutcomeKind::Robots
                | OutcomeKind::Deferred
                | OutcomeKind::Other
        )
    }

    /// Whether the server is turning us away: 403 Forbidden, 429 Too Many Requests, or a
    /// Retry-After longer than a run.
    pub fn is_refusal(self) -> bool {
        matches!(self, OutcomeKind::Http(403 | 429) | OutcomeKind::Deferred)
    }
}

impl From<&Outcome> for OutcomeKind {
    fn from(outcome: &Outcome) -> OutcomeKind {
        match outcome {
            Outcome::Fetched(_) => OutcomeKind::Ok,
            Outcome::NotModified => OutcomeKind::NotModified,
            Outcome::WrongType { .. } => OutcomeKind::NotHtml,
            Outcome::Disallowed => OutcomeKind::Robots,
            Outcome::Deferred { .. } => OutcomeKind::Deferred,
        }
    }
}

impl From<&FetchError> for OutcomeKind {
    fn from(error: &FetchError) -> OutcomeKind {
        match error {
            FetchError::Status { status, .. } => OutcomeKind::Http(*status),
            FetchError::Timeout(_) => OutcomeKind::Timeout,
            FetchError::RobotsUnreachable { kind, .. } => *kind,
            FetchError::Network { message, .. } => network_kind(message),
            FetchError::InvalidUrl(_)
            | FetchError::TooLarge { .. }
            | FetchError::TooManyRedirects(_)
            | FetchError::Refused { .. }
            | FetchError::Client(_) => OutcomeKind::Other,
        }
    }
}

/// Sorts a network error by its message chain: the HTTP client reports a failed name lookup
/// and a failed TLS handshake only in words, inside a connection error.
fn network_kind(message: &str) -> OutcomeKind {
    let message = message.to_ascii_lowercase();
    if message.contains("dns error") || message.contains("failed to lookup address") || message.contains("name or service not known") {
        OutcomeKind::Dns
    } else if message.contains("certificate") || message.contains("tls") || message.contains("ssl") || message.contains("handshake") {
        OutcomeKind::Tls
    } else {
        OutcomeKind::Connect
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(message: &str) -> OutcomeKind {
        OutcomeKind::from(&FetchError::Network {
            url: "https://e.org/".into(),
            message: message.into(),
        })
    }

    #[test]
    fn network_errors_are_sorted_by_their_cause() {
        assert_eq!(
            network("error sending request: client error (Connect): dns error: failed to lookup address information"),
            OutcomeKind::Dns
        );
        assert_eq!(
            network("client error (Connect): invalid peer certificate: Expired"),
            OutcomeKind::Tls
        );
        assert_eq!(
            network("client error (Connect): tcp connect error: Connection refused (os error 111)"),
            OutcomeKind::Connect
        );
    }

    #[test]
    fn stored_kinds_read_back() {
        for kind in [
            OutcomeKind::Ok,
            OutcomeKind::Http(403),
            OutcomeKind::Empty,
            OutcomeKind::Tls,
            OutcomeKind::Deferred,
        ] {
            assert_eq!(OutcomeKind::from_stored(kind.as_str(), kind.status()), kind);
        }
        assert_eq!(OutcomeKind::Http(429).label(), "http 429");
        assert!(OutcomeKind::Http(429).is_refusal() && !OutcomeKind::Http(404).is_refusal());
        assert!(!OutcomeKind::Empty.is_failure() && OutcomeKind::Timeout.is_failure());
    }
}
