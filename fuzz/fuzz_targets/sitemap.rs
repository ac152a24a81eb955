//! Fuzz target: the sitemap reader on arbitrary bytes never panics and keeps within its caps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigia::config::DiscoverConfig;

fuzz_target!(|data: &[u8]| {
    let limits = DiscoverConfig {
        max_entries: 50,
        ..DiscoverConfig::default()
    };
    if let Ok(map) = vigia::discover::parse_sitemap(data, &limits) {
        assert!(map.urls.len() + map.children.len() <= limits.max_entries);
    }
});
