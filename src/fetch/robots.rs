//! robots.txt rules for our user agent: which paths we may fetch and how slowly.

use std::time::Duration;

use texting_robots::Robot;
use tracing::debug;

use super::OutcomeKind;

/// A Crawl-delay above this is read as this: a run must still move on.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

/// The rules one host's robots.txt sets for us. A host without usable rules allows everything;
/// one whose robots.txt could not be read because its server failed allows nothing.
#[derive(Debug, Default)]
pub struct RobotsRules {
    robot: Option<Robot>,
    /// Why the file could not be read, and the kind of that failure, when the server (not
    /// the file) is at fault.
    unreachable: Option<(String, OutcomeKind)>,
}

impl RobotsRules {
    /// Rules that allow every path, for a missing robots.txt (4xx) or one we chose not to read.
    pub fn allow_all() -> RobotsRules {
        RobotsRules::default()
    }

    /// Rules that allow nothing, for a robots.txt whose server failed (5xx, 429, timeout,
    /// connection error): RFC 9309 asks crawlers to assume a complete disallow then. `kind`
    /// is that failure's own (`dns`, `timeout`, `http 503`), which source health records.
    pub fn unreachable(reason: String, kind: OutcomeKind) -> RobotsRules {
        RobotsRules {
            robot: None,
            unreachable: Some((reason, kind)),
        }
    }

    /// Why robots.txt could not be read, and the kind of failure, when that disallows
    /// everything.
    pub fn unreachable_reason(&self) -> Option<(&str, OutcomeKind)> {
        self.unreachable.as_ref().map(|(reason, kind)| (reason.as_str(), *kind))
    }

    /// Parses a robots.txt body for `agent` (a product token such as `vigia`). A file that
    /// cannot be parsed allows everything.
    pub fn parse(agent: &str, body: &[u8]) -> RobotsRules {
        match Robot::new(agent, body) {
            Ok(robot) => RobotsRules {
                robot: Some(robot),
                unreachable: None,
            },
            Err(e) => {
                debug!(error = %e, "Unparsable robots.txt, allowing all.");
                RobotsRules::allow_all()
            }
        }
    }

    /// Whether `url` (absolute, or a path) may be fetched.
    pub fn allowed(&self, url: &str) -> bool {
        self.unreachable.is_none() && self.robot.as_ref().is_none_or(|r| r.allowed(url))
    }

    /// The Crawl-delay that applies to us, bounded by [`MAX_CRAWL_DELAY`].
    pub fn crawl_delay(&self) -> Option<Duration> {
        let seconds = self.robot.as_ref()?.delay?;
        if !seconds.is_finite() || seconds <= 0.0 {
            return None;
        }
        Some(Duration::from_secs_f32(seconds.min(MAX_CRAWL_DELAY.as_secs_f32())))
    }

    /// The `Sitemap:` lines of the file.
    pub fn sitemaps(&self) -> &[String] {
        self.robot.as_ref().map_or(&[], |r| r.sitemaps.as_slice())
    }
}

/// The product token robots.txt groups are matched against: `vigia` for
/// `vigia/0.1 (+https://…)`.
pub fn agent_token(user_agent: &str) -> String {
    let token: String = user_agent
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    if token.is_empty() { "*".to_string() } else { token }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &[u8] = b"User-agent: *\nDisallow: /\n\n\
        User-agent: vigia\nDisallow: /privado/\nAllow: /privado/publico\nCrawl-delay: 2.5\n\n\
        Sitemap: https://example.org/sitemap.xml\n";

    #[test]
    fn our_group_wins_over_the_wildcard() {
        let rules = RobotsRules::parse(&agent_token("vigia/0.1 (+https://x.org)"), FILE);
        assert!(rules.allowed("https://example.org/noticias/1"));
        assert!(!rules.allowed("https://example.org/privado/nota"));
        assert!(rules.allowed("https://example.org/privado/publico/nota"));
        assert!(rules.allowed("/robots.txt"));
        assert_eq!(rules.crawl_delay(), Some(Duration::from_millis(2500)));
        assert_eq!(rules.sitemaps(), ["https://example.org/sitemap.xml"]);
    }

    #[test]
    fn other_agents_fall_under_the_wildcard() {
        let rules = RobotsRules::parse("otrobot", FILE);
        assert!(!rules.allowed("https://example.org/noticias/1"));
        assert_eq!(rules.crawl_delay(), None);
    }

    #[test]
    fn empty_or_garbage_allows_all() {
        assert!(RobotsRules::parse("vigia", b"").allowed("/a"));
        assert!(RobotsRules::parse("vigia", b"\xFF\xFE<html>not robots</html>").allowed("/a"));
        assert!(RobotsRules::allow_all().allowed("/a"));
        assert!(RobotsRules::allow_all().sitemaps().is_empty());
    }

    #[test]
    fn an_unreachable_robots_allows_nothing() {
        let rules = RobotsRules::unreachable("HTTP status 503".into(), OutcomeKind::Http(503));
        assert!(!rules.allowed("/"));
        assert!(!rules.allowed("https://example.org/robots.txt"));
        assert_eq!(rules.unreachable_reason(), Some(("HTTP status 503", OutcomeKind::Http(503))));
        assert_eq!(RobotsRules::allow_all().unreachable_reason(), None);
    }

    #[test]
    fn crawl_delay_is_bounded() {
        let rules = RobotsRules::parse("vigia", b"User-agent: *\nCrawl-delay: 86400\n");
        assert_eq!(rules.crawl_delay(), Some(MAX_CRAWL_DELAY));
        let rules = RobotsRules::parse("vigia", b"User-agent: *\nCrawl-delay: 0\n");
        assert_eq!(rules.crawl_delay(), None);
    }

    #[test]
    fn agent_token_is_the_product_name() {
        assert_eq!(agent_token("vigia/0.1.0 (+https://github.com/x)"), "vigia");
        assert_eq!(agent_token("  my-bot_2 beta"), "my-bot_2");
        assert_eq!(agent_token("/weird"), "*");
    }
}
