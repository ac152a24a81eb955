//! Fuzz target: full extraction on arbitrary text never panics and keeps offsets in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigia::extract::{self, Lang};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let chars = text.chars().count();
    for lang in [Lang::En, Lang::Es] {
        let out = extract::extract(&text, lang);
        assert!((0.0..=1.0).contains(&out.relevance));
        for s in &out.statistics {
            assert!(s.start < s.end && s.end <= chars);
        }
    }
});
