//! Fuzz target: the feed reader on arbitrary bytes never panics and keeps within its caps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigia::config::DiscoverConfig;

fuzz_target!(|data: &[u8]| {
    let limits = DiscoverConfig {
        max_entries: 50,
        ..DiscoverConfig::default()
    };
    if let Ok(found) = vigia::discover::parse_feed(data, "https://e.org/feed/", &limits) {
        assert!(found.len() <= limits.max_entries);
        for c in &found {
            assert!(c.url.starts_with("http://") || c.url.starts_with("https://"), "{}", c.url);
        }
    }
});
