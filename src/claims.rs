//! Claims and stories: which figures are one measurement repeated, which articles one text copied.
//!
//! A **claim** is a figure's identity, not its wording: figures with the same [`ClaimKey`]
//! published within [`CLAIM_WINDOW_DAYS`] of the claim's first report are one claim (ten outlets
//! repeating one UNODC rate); the same key later is a new claim (the next year's measurement).
//! Claims are assigned by one sweep over the figures sorted by key, then day ([`ClaimSweep`]).
//!
//! A **story** is a set of near-identical article texts (a wire report syndicated with another
//! headline): articles whose [`simhash`] differ in at most [`STORY_MAX_DISTANCE`] bits and were
//! published within [`STORY_WINDOW_DAYS`] of each other ([`group_stories`]).
//!
//! The store reads and writes the groups; this module only decides them.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::extract::geo::words::fold;

/// How long after a claim's first report the same figure still counts as a repeat of it.
/// News repeats an official figure for weeks after it is released; a release of the same
/// series a year on is a new measurement even when its value happens to be the same.
pub const CLAIM_WINDOW_DAYS: i64 = 60;

/// The identity of a figure: two figures with equal keys say the same thing.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimKey {
    pub unit: String,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub topic: Option<String>,
    pub location: Option<String>,
    pub year: Option<i32>,
    pub change: Option<String>,
}

/// One current figure, as the claim sweep reads it.
#[derive(Debug, Clone)]
pub struct Figure {
    pub id: i64,
    pub key: ClaimKey,
    /// The article's day (`YYYY-MM-DD`: published, else fetched).
    pub day: String,
}

/// Assigns claims to figures given sorted by key, then day, then id.
///
/// A claim's id is the id of its first figure, so it stays the same as long as that figure
/// stays the earliest report.
#[derive(Debug, Default)]
pub struct ClaimSweep {
    current: Option<(ClaimKey, String, i64)>,
}

impl ClaimSweep {
    /// The claim of `figure`, the next in sorted order.
    pub fn assign(&mut self, figure: &Figure) -> i64 {
        if let Some((key, first_day, id)) = &self.current
            && *key == figure.key
            && within(first_day, &figure.day, CLAIM_WINDOW_DAYS)
        {
            return *id;
        }
        self.current = Some((figure.key.clone(), figure.day.clone(), figure.id));
        figure.id
    }
}

/// Whether `later` is at most `days` after `first` (both `YYYY-MM-DD`); a day that is not a
/// date only matches the same text.
fn within(first: &str, later: &str, days: i64) -> bool {
    match (day(first), day(later)) {
        (Some(a), Some(b)) => (b - a).num_days() <= days,
        _ => first == later,
    }
}

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// At most this many of the 64 bits differ between two texts of one story.
///
/// Each bit of a SimHash differs between two texts with probability θ/π, θ the angle between
/// their shingle sets (Charikar, 2002). A copy that changes 6% of the shingles (another headline,
/// byline and closing line on a 400-word text) has cos θ ≈ 0.94 and differs in about 5.6 bits;
/// two unrelated texts differ in 32 ± 4 bits and fall within 7 with a probability of about
/// 4·10⁻¹¹ a pair, so even millions of pairs within the window make no false story. (The 3 bits
/// often quoted for web pages keep only copies that are near-identical, cos θ > 0.99.)
pub const STORY_MAX_DISTANCE: u32 = 7;

/// Copies of one story are published within this many days of each other.
pub const STORY_WINDOW_DAYS: i64 = 30;

/// Words per shingle: three keep the word order, so two texts on one subject with their own
/// sentences share few shingles. ([`simhash`] hashes the three shingles a word belongs to
/// side by side, so it is written for three.)
const SHINGLE_WORDS: usize = 3;

/// Texts with fewer words than this get no fingerprint (and are a story of their own): a
/// teaser or a caption is too short to tell a copy from a coincidence.
const MIN_WORDS: usize = 40;

/// The fingerprint is cut into this many bands of 8 bits; two fingerprints within
/// [`STORY_MAX_DISTANCE`] (< 8) bits agree on at least one whole band, so candidates are the
/// articles sharing a band, never all pairs.
const BANDS: u32 = STORY_MAX_DISTANCE + 1;
const BAND_BITS: u32 = 64 / BANDS;

/// The 64-bit SimHash of `body` over its word shingles (case and accents folded); None for a
/// text too short to fingerprint.
pub fn simhash(body: &str) -> Option<u64> {
    let folded = fold(body);
    let words = word_spans(&folded);
    if words.len() < MIN_WORDS {
        return None;
    }
    // A shingle's hash is FNV-1a over its words joined by spaces. Each word's bytes go into
    // the three shingles it belongs to in one pass, three independent chains of multiplies
    // side by side instead of three passes one after another.
    let bytes = folded.as_bytes();
    let mut votes = BitVotes::default();
    // The shingles begun one and two words back, hashed up to the word before this one.
    let (mut begun_one_back, mut begun_two_back) = (FNV_OFFSET, FNV_OFFSET);
    for (i, &(start, end)) in words.iter().enumerate() {
        let mut first = FNV_OFFSET;
        let mut second = fnv(begun_one_back, b' ');
        let mut third = fnv(begun_two_back, b' ');
        for &b in &bytes[start..end] {
            first = fnv(first, b);
            second = fnv(second, b);
            third = fnv(third, b);
        }
        if i + 1 >= SHINGLE_WORDS {
            votes.add(spread(third));
        }
        (begun_one_back, begun_two_back) = (first, second);
    }
    Some(votes.majority())
}

/// Where each word of `text` lies: the runs of alphanumeric characters. ASCII (nearly all of
/// a folded text) is classified from its byte; other characters are decoded.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::with_capacity(text.len() / 5 + 1);
    let mut start = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (word_char, len) = if b.is_ascii() {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            let c = text
                .get(i..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            (c.is_alphanumeric(), c.len_utf8())
        };
        match (word_char, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
        i += len;
    }
    if let Some(s) = start {
        spans.push((s, bytes.len()));
    }
    spans
}

/// Per bit of the shingle hashes, how many had it set. Counted in 8-bit lanes, eight bits
/// of one byte to a `u64`, a table lookup and an add per byte of a hash; the lanes are
/// emptied into wide counts before any can overflow.
struct BitVotes {
    lanes: [u64; 8],
    /// Hashes counted in `lanes` since they were last emptied.
    pending: u32,
    counts: [u32; 64],
    hashes: u32,
}

/// Each byte spread to eight lanes of one bit each: lane `j` of `SPREAD[b]` is bit `j` of `b`.
const SPREAD: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut j = 0;
        while j < 8 {
            table[b] |= ((b as u64 >> j) & 1) << (8 * j);
            j += 1;
        }
        b += 1;
    }
    table
};

impl Default for BitVotes {
    fn default() -> Self {
        BitVotes {
            lanes: [0; 8],
            pending: 0,
            counts: [0; 64],
            hashes: 0,
        }
    }
}

impl BitVotes {
    fn add(&mut self, h: u64) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            *lane += SPREAD[(h >> (8 * k)) as usize & 0xff];
        }
        self.pending += 1;
        self.hashes += 1;
        if self.pending == u32::from(u8::MAX) {
            self.empty_lanes();
        }
    }

    fn empty_lanes(&mut self) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            for j in 0..8 {
                self.counts[8 * k + j] += ((*lane >> (8 * j)) & 0xff) as u32;
            }
            *lane = 0;
        }
        self.pending = 0;
    }

    /// The bits set in more than half the hashes: each hash votes +1 for its set bits and -1
    /// for the others, and a bit is kept when its sum is positive.
    fn majority(mut self) -> u64 {
        self.empty_lanes();
        let hashes = u64::from(self.hashes);
        (0..64).fold(0u64, |acc, bit| {
            if 2 * u64::from(self.counts[bit]) > hashes {
                acc | 1 << bit
            } else {
                acc
            }
        })
    }
}

/// Shingles are hashed so that the hash stays the same across builds (stored fingerprints
/// must compare with new ones): FNV-1a over the words joined by spaces, from this offset
/// basis, then a SplitMix64 finaliser ([`spread`]) to spread its bits.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One byte into an FNV-1a hash.
fn fnv(h: u64, byte: u8) -> u64 {
    (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
}

/// The SplitMix64 finaliser.
fn spread(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// One current article, as story grouping reads it.
#[derive(Debug, Clone)]
pub struct StoryArticle {
    pub id: i64,
    pub day: String,
    pub simhash: Option<u64>,
}

/// The story of every article: `(article id, story id)`, the story id being the id of its
/// earliest article (by day, then id). Articles without a fingerprint are stories of their own.
pub fn group_stories(articles: &[StoryArticle]) -> Vec<(i64, i64)> {
    let mut parent: Vec<usize> = (0..articles.len()).collect();
    // Days as numbers once, not once per candidate pair.
    let days: Vec<Option<i64>> = articles
        .iter()
        .map(|a| day(&a.day).map(|d| i64::from(d.num_days_from_ce())))
        .collect();
    let same_story = |i: usize, j: usize| {
        let (Some(x), Some(y)) = (articles[i].simhash, articles[j].simhash) else {
            return false;
        };
        let close = match (days[i], days[j]) {
            (Some(a), Some(b)) => (a - b).abs() <= STORY_WINDOW_DAYS,
            _ => articles[i].day == articles[j].day,
        };
        close && (x ^ y).count_ones() <= STORY_MAX_DISTANCE
    };
    for band in 0..BANDS {
        let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, a) in articles.iter().enumerate() {
            if let Some(h) = a.simhash {
                let value = (h >> (band * BAND_BITS)) & ((1 << BAND_BITS) - 1);
                buckets.entry(value).or_default().push(i);
            }
        }
        for members in buckets.values() {
            for (n, &i) in members.iter().enumerate() {
                for &j in &members[n + 1..] {
                    if same_story(i, j) {
                        union(&mut parent, i, j);
                    }
                }
            }
        }
    }
    // The first article of each group names it.
    let mut first: HashMap<usize, usize> = HashMap::new();
    for i in 0..articles.len() {
        let root = find(&mut parent, i);
        let best = first.entry(root).or_insert(i);
        let key = |k: usize| (articles[k].day.as_str(), articles[k].id);
        if key(i) < key(*best) {
            *best = i;
        }
    }
    (0..articles.len())
        .map(|i| {
            let root = find(&mut parent, i);
            (articles[i].id, articles[first[&root]].id)
        })
        .collect()
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(value: f64) -> ClaimKey {
        ClaimKey {
            unit: "per_100k".into(),
            value: Some(value),
            low: None,
            high: None,
            topic: Some("homicide".into()),
            location: Some("HN".into()),
            year: Some(2025),
            change: None,
        }
    }

    fn figure(id: i64, value: f64, day: &str) -> Figure {
        Figure {
            id,
            key: key(value),
            day: day.into(),
        }
    }

    #[test]
    fn repeats_within_the_window_are_one_claim_and_a_later_release_is_another() {
        let mut sweep = ClaimSweep::default();
        let figures = [
            figure(7, 31.5, "2026-01-10"),
            figure(3, 31.5, "2026-01-12"),
            figure(9, 31.5, "2026-03-11"),
            // 61 days after the first report: a new measurement.
            figure(4, 31.5, "2026-03-12"),
            figure(5, 31.5, "2026-03-20"),
            figure(8, 40.0, "2026-03-20"),
        ];
        let claims: Vec<i64> = figures.iter().map(|f| sweep.assign(f)).collect();
        assert_eq!(claims, [7, 7, 7, 4, 4, 8]);
    }

    #[test]
    fn any_field_of_the_key_tells_claims_apart() {
        let mut sweep = ClaimSweep::default();
        let first = figure(1, 12.0, "2026-05-01");
        let mut other_year = figure(2, 12.0, "2026-05-01");
        other_year.key.year = Some(2024);
        let mut a_change = figure(3, 12.0, "2026-05-01");
        a_change.key.change = Some("increase".into());
        assert_eq!(sweep.assign(&first), 1);
        assert_eq!(sweep.assign(&other_year), 2);
        assert_eq!(sweep.assign(&a_change), 3);
    }

    const WIRE: &str = "Police in the northern province seized four tonnes of cocaine hidden in a shipment of \
        bananas bound for the port of Antwerp on Tuesday, the security ministry said. Officers arrested \
        six people, among them two customs agents, and found the drugs packed in more than three hundred \
        crates after a tip from foreign investigators. The minister said it was the largest seizure in the \
        province this year and that the network had moved at least five shipments since last spring.";

    #[test]
    fn a_copy_with_another_headline_and_byline_is_near_and_another_text_is_far() {
        let copy = format!("Record seizure at the port. By staff writers. {WIRE}");
        let other = "Lawmakers approved a reform of the prison system on Thursday that moves inmates awaiting \
            trial out of crowded jails, the justice committee said. The bill sets a limit on pretrial \
            detention, funds new courts in three regions and orders a census of every prison before the end \
            of the year, after riots left dozens dead in the largest jail of the country last month.";
        let (a, b, c) = (simhash(WIRE).unwrap(), simhash(&copy).unwrap(), simhash(other).unwrap());
        assert!(
            (a ^ b).count_ones() <= STORY_MAX_DISTANCE,
            "copy differs in {} bits",
            (a ^ b).count_ones()
        );
        assert!(
            (a ^ c).count_ones() > 16,
            "other text differs in only {} bits",
            (a ^ c).count_ones()
        );
        assert_eq!(simhash("Too short to tell."), None);
    }

    #[test]
    fn stories_are_named_by_their_earliest_article_within_the_window() {
        let h = simhash(WIRE);
        let near = h.map(|h| h ^ 0b1011_0101);
        let article = |id, day: &str, simhash| StoryArticle {
            id,
            day: day.into(),
            simhash,
        };
        let articles = [
            article(10, "2026-02-03", h),
            article(11, "2026-02-02", near),
            article(12, "2026-02-03", None),
            article(13, "2026-06-01", h),
            article(14, "2026-02-03", h.map(|h| !h)),
            // One bit too many.
            article(15, "2026-02-03", h.map(|h| h ^ 0xff00)),
        ];
        let stories = group_stories(&articles);
        assert_eq!(stories, [(10, 11), (11, 11), (12, 12), (13, 13), (14, 14), (15, 15)]);
    }

    /// The fingerprint as first written: words split by `char::is_alphanumeric`, each
    /// shingle hashed as its words joined by spaces, 64 signed sums. [`simhash`] must give
    /// exactly this (stored fingerprints are compared with new ones).
    fn plain_simhash(body: &str) -> Option<u64> {
        let folded = fold(body);
        let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        if words.len() < MIN_WORDS {
            return None;
        }
        let mut weights = [0i64; 64];
        for shingle in words.windows(SHINGLE_WORDS) {
            let h = spread(shingle.join(" ").bytes().fold(FNV_OFFSET, fnv));
            for (bit, weight) in weights.iter_mut().enumerate() {
                *weight += if h >> bit & 1 == 1 { 1 } else { -1 };
            }
        }
        Some(
            weights
                .iter()
                .enumerate()
                .fold(0u64, |acc, (bit, w)| if *w > 0 { acc | 1 << bit } else { acc }),
        )
    }

    #[test]
    fn fingerprint_is_the_plain_one_on_long_and_accented_texts() {
        // Over 255 shingles, so the lanes are emptied mid-text; accents, digits, other scripts.
        let long = format!(
            "{} Según la Fiscalía, 1.200 detenidos en São Paulo; 東京 と Ñuñoa. {WIRE}",
            [WIRE; 4].join(" ")
        );
        assert!(long.split_whitespace().count() > 300);
        for text in [WIRE, long.as_str(), "ÉL dijo: año—2024… ¡Sí! ".repeat(30).as_str()] {
            assert_eq!(simhash(text), plain_simhash(text));
        }
    }

    proptest::proptest! {
        #[test]
        fn fingerprint_is_the_plain_one(words in proptest::collection::vec("[a-zA-Z0-9áéñÜ東 .,;'-]{0,12}", 0..700)) {
            let text = words.join(" ");
            proptest::prop_assert_eq!(simhash(&text), plain_simhash(&text));
        }
    }
}
