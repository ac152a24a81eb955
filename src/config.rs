//! The TOML configuration: parsed, checked, with every path made absolute.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

/// A configuration that could not be used; the message names the key and line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// A checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// The SQLite file, absolute (relative paths are taken from the config file's folder).
    pub database: PathBuf,
    pub fetch: FetchConfig,
    pub discover: DiscoverConfig,
    pub sources: Vec<SourceConfig>,
}

/// How to fetch: politeness and limits.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchConfig {
    pub user_agent: String,
    /// At least this long between two requests to one host.
    pub per_host_delay: Duration,
    /// Per request (each redirect hop, each retry).
    pub timeout: Duration,
    /// Per URL: all its redirect hops, its body and its retries; politeness waits are extra.
    pub url_deadline: Duration,
    /// Cap on a decompressed response body.
    pub max_bytes: u64,
    pub respect_robots: bool,
    /// Whether any URL may reach loopback, private and other non-public addresses; when
    /// false only a source's own origin may.
    pub allow_private_networks: bool,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: format!("vigia/{} (+https://github.com/vigia-news/vigia)", env!("CARGO_PKG_VERSION")),
            per_host_delay: Duration::from_millis(1000),
            timeout: Duration::from_secs(30),
            url_deadline: Duration::from_secs(60),
            max_bytes: 5_000_000,
            respect_robots: true,
            allow_private_networks: false,
        }
    }
}

/// How much discovery reads: what one feed, sitemap or source may bring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiscoverConfig {
    /// Entries read from one feed, sitemap file or section page; the rest are left out.
    pub max_entries: usize,
    /// Candidates one source (other than `files`) hands one pass: unseen ones first, then the
    /// newest.
    pub max_candidates_per_pass: usize,
    /// `fetch.max_bytes`, also the cap on a feed once decompressed and on a saved page a
    /// `files` source reads.
    pub max_bytes: u64,
    /// Cap on a sitemap's body once decompressed (the sitemap protocol allows 50 MB).
    pub max_sitemap_bytes: u64,
    /// Levels of sitemap indexes followed below the source's own sitemap.
    pub max_sitemap_depth: usize,
    /// Child sitemaps one source may fetch in one pass.
    pub max_child_sitemaps: usize,
}

impl Default for DiscoverConfig {
    fn default() -> Self {
        DiscoverConfig {
            max_entries: 50_000,
            max_candidates_per_pass: 500,
            max_bytes: FetchConfig::default().max_bytes,
            max_sitemap_bytes: 50_000_000,
            max_sitemap_depth: 3,
            max_child_sitemaps: 50,
        }
    }
}

/// The kinds of source. A new kind is a new variant and a new arm in
/// `discover`; nothing else changes shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// An RSS 2.0, RSS 1.0 or Atom feed.
    Rss,
    /// A sitemap or sitemap index (optionally gzip-compressed, news sitemaps too).
    Sitemap,
    /// A section page whose links matching `link_pattern` are articles.
    Page,
    /// A local folder or glob of saved `.html`/`.htm` pages.
    Files,
    /// A local folder or glob of WARC files (`.warc`, `.warc.gz`) whose HTML responses are articles.
    Warc,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Rss => "rss",
            SourceKind::Sitemap => "sitemap",
            SourceKind::Page => "page",
            SourceKind::Files => "files",
            SourceKind::Warc => "warc",
        }
    }
}

/// The language a source publishes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    En,
    Es,
    Auto,
}

/// One checked source.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    pub name: String,
    pub kind: SourceKind,
    /// A URL, or for `files` an absolute folder or glob.
    pub url: String,
    pub schedule: croner::Cron,
    /// The schedule as written.
    pub schedule_text: String,
    pub language: Language,
    pub link_pattern: Option<regex::Regex>,
    /// Lower-cased keywords; an article must hold one in its title or body when set.
    pub keywords: Vec<String>,
    pub min_relevance: Option<f64>,
    /// `warc`: keep a copy of every page in the database instead of reading it again from its
    /// archive (for archives that will be moved or deleted).
    pub copy_pages: bool,
    /// The `[discover]` limits, as this source applies them.
    pub discover: DiscoverConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    database: Option<Spanned<String>>,
    #[serde(default)]
    fetch: RawFetch,
    #[serde(default)]
    discover: RawDiscover,
    #[serde(default)]
    sources: Vec<RawSource>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDiscover {
    max_entries: Option<Spanned<i64>>,
    /// Pages one source fetches in one pass: also spelled `max_articles_per_source`.
    #[serde(alias = "max_articles_per_source")]
    max_candidates_per_pass: Option<Spanned<i64>>,
    max_sitemap_bytes: Option<Spanned<i64>>,
    max_sitemap_depth: Option<Spanned<i64>>,
    max_child_sitemaps: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFetch {
    user_agent: Option<Spanned<String>>,
    per_host_delay_ms: Option<Spanned<i64>>,
    timeout_s: Option<Spanned<i64>>,
    url_deadline_s: Option<Spanned<i64>>,
    max_bytes: Option<Spanned<i64>>,
    respect_robots: Option<bool>,
    allow_private_networks: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: Spanned<String>,
    kind: Spanned<String>,
    url: Spanned<String>,
    schedule: Option<Spanned<String>>,
    language: Option<Spanned<String>>,
    link_pattern: Option<Spanned<String>>,
    keywords: Option<Vec<String>>,
    min_relevance: Option<Spanned<f64>>,
    copy_pages: Option<Spanned<bool>>,
}

/// Upper bounds on `[fetch]` values: beyond them a run would stall on one host or one URL.
pub const MAX_PER_HOST_DELAY_MS: i64 = 10 * 60 * 1000;
pub const MAX_TIMEOUT_S: i64 = 5 * 60;
pub const MAX_URL_DEADLINE_S: i64 = 30 * 60;

/// The schedule of a source that sets none: every hour, on the hour.
pub const DEFAULT_SCHEDULE: &str = "0 * * * *";

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Checks a configuration held in memory; `path` names it in errors and anchors relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| invalid(toml_error(text, &e)))?;
        let at =
            |span: std::ops::Range<usize>, key: &str, msg: String| invalid(format!("line {}: `{key}`: {msg}", line_of(text, span.start)));
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base = if base.as_os_str().is_empty() { PathBuf::from(".") } else { base };

        let database = match &raw.database {
            Some(db) if db.get_ref().trim().is_empty() => {
                return Err(at(db.span(), "database", "must not be empty".into()));
            }
            Some(db) => base.join(db.get_ref()),
            None => base.join("vigia.db"),
        };

        let mut fetch = FetchConfig::default();
        if let Some(ua) = raw.fetch.user_agent {
            if ua.get_ref().trim().is_empty() {
                return Err(at(ua.span(), "fetch.user_agent", "must not be empty".into()));
            }
            // It is sent as a header: a newline would end it, and other bytes make the client
            // refuse to start.
            if let Some((i, c)) = ua.get_ref().chars().enumerate().find(|(_, c)| !(' '..='~').contains(c)) {
                let msg = format!("must be printable ASCII, found {:?} at character {}", c, i + 1);
                return Err(at(ua.span(), "fetch.user_agent", msg));
            }
            fetch.user_agent = ua.into_inner();
        }
        let bounded = |v: &Option<Spanned<i64>>, key: &str, min: i64, max: i64| -> Result<Option<u64>, ConfigError> {
            match v {
                Some(s) if *s.get_ref() < min => Err(at(s.span(), key, format!("must be at least {min}, got {}", s.get_ref()))),
                Some(s) if *s.get_ref() > max => Err(at(s.span(), key, format!("must be at most {max}, got {}", s.get_ref()))),
                Some(s) => Ok(Some(*s.get_ref() as u64)),
                None => Ok(None),
            }
        };
        if let Some(ms) = bounded(&raw.fetch.per_host_delay_ms, "fetch.per_host_delay_ms", 0, MAX_PER_HOST_DELAY_MS)? {
            fetch.per_host_delay = Duration::from_millis(ms);
        }
        if let Some(s) = bounded(&raw.fetch.timeout_s, "fetch.timeout_s", 1, MAX_TIMEOUT_S)? {
            fetch.timeout = Duration::from_secs(s);
        }
        // A URL gets at least one full request, and by default a second one's worth of hops.
        fetch.url_deadline = 2 * fetch.timeout;
        let min_deadline = fetch.timeout.as_secs() as i64;
        if let Some(s) = bounded(&raw.fetch.url_deadline_s, "fetch.url_deadline_s", min_deadline, MAX_URL_DEADLINE_S)? {
            fetch.url_deadline = Duration::from_secs(s);
        }
        if let Some(b) = bounded(&raw.fetch.max_bytes, "fetch.max_bytes", 1024, i64::MAX)? {
            fetch.max_bytes = b;
        }
        if let Some(r) = raw.fetch.respect_robots {
            fetch.respect_robots = r;
        }
        if let Some(a) = raw.fetch.allow_private_networks {
            fetch.allow_private_networks = a;
        }

        let mut discover = DiscoverConfig {
            max_bytes: fetch.max_bytes,
            ..DiscoverConfig::default()
        };
        let d = &raw.discover;
        let at_least_one = |v: &Option<Spanned<i64>>, key: &str| -> Result<Option<usize>, ConfigError> {
            match v {
                Some(s) if *s.get_ref() < 1 => Err(at(s.span(), key, format!("must be at least 1, got {}", s.get_ref()))),
                Some(s) => Ok(usize::try_from(*s.get_ref()).ok()),
                None => Ok(None),
            }
        };
        if let Some(n) = at_least_one(&d.max_entries, "discover.max_entries")? {
            discover.max_entries = n;
        }
        if let Some(n) = at_least_one(&d.max_candidates_per_pass, "discover.max_candidates_per_pass")? {
            discover.max_candidates_per_pass = n;
        }
        if let Some(n) = at_least_one(&d.max_sitemap_bytes, "discover.max_sitemap_bytes")? {
            discover.max_sitemap_bytes = n as u64;
        }
        if let Some(n) = at_least_one(&d.max_sitemap_depth, "discover.max_sitemap_depth")? {
            discover.max_sitemap_depth = n;
        }
        if let Some(n) = at_least_one(&d.max_child_sitemaps, "discover.max_child_sitemaps")? {
            discover.max_child_sitemaps = n;
        }

        let mut sources: Vec<SourceConfig> = Vec::new();
        for s in raw.sources {
            let name = s.name.get_ref().trim().to_string();
            if name.is_empty() {
                return Err(at(s.name.span(), "sources.name", "must not be empty".into()));
            }
            if sources.iter().any(|o| o.name == name) {
                return Err(at(s.name.span(), "sources.name", format!("`{name}` is used by two sources")));
            }
            let kind = match s.kind.get_ref().as_str() {
                "rss" | "atom" | "feed" => SourceKind::Rss,
                "sitemap" => SourceKind::Sitemap,
                "page" => SourceKind::Page,
                "files" => SourceKind::Files,
                "warc" => SourceKind::Warc,
                other => {
                    return Err(at(
                        s.kind.span(),
                        "sources.kind",
                        format!("unknown kind `{other}` (expected rss, sitemap, page, files or warc)"),
                    ));
                }
            };
            let url = match kind {
                SourceKind::Files | SourceKind::Warc => base.join(s.url.get_ref()).to_string_lossy().into_owned(),
                _ => {
                    let parsed = url::Url::parse(s.url.get_ref())
                        .map_err(|e| at(s.url.span(), "sources.url", format!("`{}` is not a URL: {e}", s.url.get_ref())))?;
                    if !matches!(parsed.scheme(), "http" | "https") {
                        return Err(at(
                            s.url.span(),
                            "sources.url",
                            format!("`{}` must be http or https", s.url.get_ref()),
                        ));
                    }
                    parsed.to_string()
                }
            };
            let (schedule_text, schedule_span) = match &s.schedule {
                Some(sch) => (sch.get_ref().trim().to_string(), sch.span()),
                None => (DEFAULT_SCHEDULE.to_string(), s.name.span()),
            };
            let schedule = parse_schedule(&schedule_text).map_err(|e| at(schedule_span, "sources.schedule", e))?;
            let language = match s.language.as_ref().map(|l| l.get_ref().as_str()) {
                None | Some("auto") => Language::Auto,
                Some("en") => Language::En,
                Some("es") => Language::Es,
                Some(other) => {
                    let span = s.language.as_ref().map(|l| l.span()).unwrap_or_default();
                    return Err(at(
                        span,
                        "sources.language",
                        format!("unknown language `{other}` (expected en, es or auto)"),
                    ));
                }
            };
            let link_pattern = match &s.link_pattern {
                Some(p) => Some(
                    regex::Regex::new(p.get_ref())
                        .map_err(|e| at(p.span(), "sources.link_pattern", format!("not a valid regular expression: {e}")))?,
                ),
                None => None,
            };
            if kind == SourceKind::Page && link_pattern.is_none() {
                return Err(at(
                    s.kind.span(),
                    "sources.link_pattern",
                    format!("source `{name}` of kind page needs a link_pattern"),
                ));
            }
            let copy_pages = match &s.copy_pages {
                Some(c) if kind != SourceKind::Warc => {
                    return Err(at(
                        c.span(),
                        "sources.copy_pages",
                        format!(
                            "source `{name}` of kind {} cannot copy pages: only a warc source can",
                            kind.as_str()
                        ),
                    ));
                }
                Some(c) => *c.get_ref(),
                None => false,
            };
            let min_relevance = match &s.min_relevance {
                Some(m) if !(0.0..=1.0).contains(m.get_ref()) => {
                    return Err(at(
                        m.span(),
                        "sources.min_relevance",
                        format!("must be between 0 and 1, got {}", m.get_ref()),
                    ));
                }
                Some(m) => Some(*m.get_ref()),
                None => None,
            };
            let keywords = s
                .keywords
                .unwrap_or_default()
                .into_iter()
                .map(|k| k.trim().to_lowercase())
                .filter(|k| !k.is_empty())
                .collect();
            sources.push(SourceConfig {
                name,
                kind,
                url,
                schedule,
                schedule_text,
                language,
                link_pattern,
                keywords,
                min_relevance,
                copy_pages,
                discover,
            });
        }

        Ok(Config {
            path: path.to_path_buf(),
            database,
            fetch,
            discover,
            sources,
        })
    }
}

/// Parses a five-field cron expression, or a six-field one whose first field is the second
/// (for the daemon's sources that are polled more than once a minute).
pub fn parse_schedule(text: &str) -> Result<croner::Cron, String> {
    if !matches!(text.split_whitespace().count(), 5 | 6) {
        return Err(format!(
            "`{text}` is not a five-field cron expression (minute hour day month weekday), nor a six-field one (second first)"
        ));
    }
    text.parse::<croner::Cron>()
        .map_err(|e| format!("`{text}` is not a valid cron expression: {e}"))
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Formats a TOML error on one line, with its line number first.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().to_string();
    match e.span() {
        Some(span) => format!("line {}: {msg}", line_of(text, span.start)),
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/vigia/vigia.toml"))
    }

    #[test]
    fn a_schedule_has_five_fields_or_six_with_the_second_first() {
        assert!(parse_schedule("*/30 * * * *").is_ok());
        let every_two_seconds = parse_schedule("*/2 * * * * *").unwrap();
        let start = "2026-01-01T00:00:01Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        let next = every_two_seconds.find_next_occurrence(&start, false).unwrap();
        assert_eq!((next - start).num_seconds(), 1);
        assert!(parse_schedule("* * * *").is_err());
        assert!(parse_schedule("0 * * * * * *").is_err());
    }

    #[test]
    fn full_example_parses_with_paths_relative_to_the_file() {
        let cfg = parse(
            r#"
database = "data/vigia.db"
[fetch]
user_agent = "test/1"
per_host_delay_ms = 250
timeout_s = 5
max_bytes = 5_000_000
respect_robots = false

[[sources]]
name = "feed"
kind = "rss"
url = "https://example.org/feed/"
schedule = "*/30 * * * *"
language = "es"
keywords = ["Homicid", "cocaine"]
min_relevance = 0.5

[[sources]]
name = "saved"
kind = "files"
url = "pages/*.html"
"#,
        )
        .unwrap();
        assert_eq!(cfg.database, PathBuf::from("/etc/vigia/data/vigia.db"));
        assert_eq!(cfg.fetch.per_host_delay, Duration::from_millis(250));
        assert!(!cfg.fetch.respect_robots);
        assert_eq!(cfg.sources[0].language, Language::Es);
        assert_eq!(cfg.sources[0].keywords, vec!["homicid", "cocaine"]);
        assert_eq!(cfg.sources[1].kind, SourceKind::Files);
        assert_eq!(cfg.sources[1].url, "/etc/vigia/pages/*.html");
        assert_eq!(cfg.sources[1].schedule_text, DEFAULT_SCHEDULE);
    }

    #[test]
    fn warc_source_paths_are_relative_to_the_config() {
        let cfg = parse("database = \"x.db\"\n[[sources]]\nname = \"crawl\"\nkind = \"warc\"\nurl = \"crawls/*.warc.gz\"\n").unwrap();
        assert_eq!(cfg.sources[0].kind, SourceKind::Warc);
        assert_eq!(cfg.sources[0].kind.as_str(), "warc");
        assert_eq!(cfg.sources[0].url, "/etc/vigia/crawls/*.warc.gz");
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let err = parse("database = \"x.db\"\n\n[fetch]\nuser_agnet = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 4"), "{err}");
        assert!(err.contains("user_agnet"), "{err}");
    }

    #[test]
    fn bad_values_are_named_with_their_line() {
        let src = "[[sources]]\nname = \"a\"\nkind = \"rss\"\nurl = \"https://e.org/\"\nschedule = \"every hour\"\n";
        let err = parse(src).unwrap_err().to_string();
        assert!(err.contains("line 5") && err.contains("schedule"), "{err}");
        let err = parse("[fetch]\ntimeout_s = 0\n").unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("timeout_s"), "{err}");
        let err = parse("[[sources]]\nname = \"a\"\nkind = \"ftp\"\nurl = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3") && err.contains("ftp"), "{err}");
        let err = parse("[[sources]]\nname = \"a\"\nkind = \"page\"\nurl = \"https://e.org/\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("link_pattern"), "{err}");
        let err = parse("[[sources]]\nname = \"a\"\nkind = \"rss\"\nurl = \"https://e.org/\"\nmin_relevance = 1.5\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 5") && err.contains("min_relevance"), "{err}");
    }

    #[test]
    fn user_agents_with_control_or_non_ascii_characters_are_refused() {
        for bad in [
            "vigia\nX-Evil: 1",
            "vigia\r",
            "vigia\t1",
            "vigia\u{0}",
            "vigia\u{7f}",
            "vigía/1",
            "vigia\u{a0}1",
        ] {
            let text = format!("[fetch]\nuser_agent = {}\n", toml::Value::String(bad.into()));
            let err = parse(&text).unwrap_err().to_string();
            assert!(
                err.contains("line 2") && err.contains("fetch.user_agent") && err.contains("printable ASCII"),
                "{bad:?}: {err}"
            );
        }
        let cfg = parse("[fetch]\nuser_agent = \"vigia/1.0 (+https://e.org/bot; a@e.org)\"\n").unwrap();
        assert_eq!(cfg.fetch.user_agent, "vigia/1.0 (+https://e.org/bot; a@e.org)");
    }

    #[test]
    fn fetch_limits_are_bounded_and_named() {
        for (text, line, limit) in [
            ("[fetch]\nper_host_delay_ms = 600001\n", "line 2", "at most 600000"),
            ("[fetch]\n\ntimeout_s = 301\n", "line 3", "at most 300"),
            ("[fetch]\nurl_deadline_s = 1801\n", "line 2", "at most 1800"),
            ("[fetch]\ntimeout_s = 20\nurl_deadline_s = 10\n", "line 3", "at least 20"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(line) && err.contains(limit), "{text:?}: {err}");
        }
        let cfg = parse("[fetch]\nper_host_delay_ms = 600000\ntimeout_s = 300\n").unwrap();
        assert_eq!(cfg.fetch.per_host_delay, Duration::from_secs(600));
        assert_eq!(cfg.fetch.url_deadline, Duration::from_secs(600), "twice the timeout by default");
        let cfg = parse("[fetch]\ntimeout_s = 5\nurl_deadline_s = 5\nallow_private_networks = true\n").unwrap();
        assert_eq!(cfg.fetch.url_deadline, Duration::from_secs(5));
        assert!(cfg.fetch.allow_private_networks);
    }

    #[test]
    fn defaults_fill_every_optional_key() {
        let cfg = parse("").unwrap();
        assert_eq!(cfg.database, PathBuf::from("/etc/vigia/vigia.db"));
        assert_eq!(cfg.fetch, FetchConfig::default());
        assert_eq!(cfg.discover, DiscoverConfig::default());
        assert!(cfg.sources.is_empty());
    }

    #[test]
    fn discover_limits_reach_every_source() {
        let cfg = parse(
            "[fetch]\nmax_bytes = 2_000_000\n[discover]\nmax_entries = 100\nmax_candidates_per_pass = 10\n\
             max_sitemap_bytes = 9_000_000\nmax_sitemap_depth = 1\nmax_child_sitemaps = 5\n\
             [[sources]]\nname = \"a\"\nkind = \"rss\"\nurl = \"https://e.org/\"\n",
        )
        .unwrap();
        let want = DiscoverConfig {
            max_entries: 100,
            max_candidates_per_pass: 10,
            max_bytes: 2_000_000,
            max_sitemap_bytes: 9_000_000,
            max_sitemap_depth: 1,
            max_child_sitemaps: 5,
        };
        assert_eq!(cfg.discover, want);
        assert_eq!(cfg.sources[0].discover, want);
        let err = parse("[discover]\nmax_entries = 0\n").unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("discover.max_entries"), "{err}");
        let alias = parse("[discover]\nmax_articles_per_source = 7\n").unwrap();
        assert_eq!(alias.discover.max_candidates_per_pass, 7);
        assert!(parse("[discover]\nmax_articles_per_source = 7\nmax_candidates_per_pass = 8\n").is_err());
    }
}
