//! Fuzz target: the number reader on arbitrary text never panics and keeps offsets in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigia::extract::{Lang, numbers};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for lang in [Lang::En, Lang::Es] {
        for n in numbers::scan(&text, lang) {
            assert!(n.start <= n.end && n.end <= text.len());
            assert!(text.is_char_boundary(n.start) && text.is_char_boundary(n.end));
            assert!(n.char_start <= n.char_end);
        }
        let _ = numbers::parse_digits(&text, lang);
    }
});
