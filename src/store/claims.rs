//! Claims and stories in the database: assigns `statistics.claim_id` and `articles.story_id`
//! (decided by [`crate::claims`]) and reads claims back for `trend --explain`.

use std::collections::HashMap;

use rusqlite::{Connection, Row, params};
use serde::Serialize;

use super::write::stored_simhash;
use super::{Result, Store};
use crate::claims::{ClaimKey, ClaimSweep, Figure, StoryArticle, group_stories, simhash};

/// How much a regrouping looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regroup {
    /// Only the claim keys of figures not yet grouped or whose article was superseded (after
    /// a run: its new figures and changed articles).
    Touched,
    /// Every figure (after `reprocess`, which replaces figures wholesale).
    All,
}

/// What a regrouping changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Regrouped {
    /// Claim keys swept one by one ([`Regroup::Touched`]; 0 for a whole sweep).
    pub keys: u64,
    /// Figures whose claim changed.
    pub figures: u64,
    /// Articles whose story changed.
    pub articles: u64,
}

/// One claim, as `claims_v` describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimRow {
    pub claim_id: i64,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub unit: String,
    pub topic: Option<String>,
    pub location: Option<String>,
    pub year: Option<i32>,
    pub change: Option<String>,
    pub first_outlet: String,
    pub first_date: Option<String>,
    pub first_url: String,
    pub first_title: Option<String>,
    pub reports: i64,
    pub articles: i64,
    pub outlets: i64,
}

/// The key columns (`statistics_claim_key` indexes all but `change`, which few figures differ
/// by alone); [`key`] reads them in this order.
const KEY_COLUMNS: &str = "s.unit, s.value, s.low, s.high, s.topic, s.location, s.year, s.change";

fn key(row: &Row<'_>, at: usize) -> rusqlite::Result<ClaimKey> {
    Ok(ClaimKey {
        unit: row.get(at)?,
        value: row.get(at + 1)?,
        low: row.get(at + 2)?,
        high: row.get(at + 3)?,
        topic: row.get(at + 4)?,
        location: row.get(at + 5)?,
        year: row.get(at + 6)?,
        change: row.get(at + 7)?,
    })
}

/// `key`'s values as bound to ?1 to ?8 of [`one_key_sweep`], in [`KEY_COLUMNS`] order.
fn key_params(key: &ClaimKey) -> [&dyn rusqlite::ToSql; 8] {
    [
        &key.unit,
        &key.value,
        &key.low,
        &key.high,
        &key.topic,
        &key.location,
        &key.year,
        &key.change,
    ]
}

/// A row of [`sweep_select`]: the figure and its stored claim.
fn swept(row: &Row<'_>) -> rusqlite::Result<(Figure, Option<i64>)> {
    let figure = Figure {
        id: row.get(0)?,
        key: key(row, 1)?,
        day: row.get::<_, Option<String>>(9)?.unwrap_or_default(),
    };
    Ok((figure, row.get(10)?))
}

/// Sweeps figures (rows of [`sweep_select`]) sorted by key, day and id, and writes each claim
/// that changed.
fn sweep(conn: &Connection, sql: &str, params: impl rusqlite::Params, sweeper: &mut ClaimSweep) -> Result<u64> {
    // Kept compiled: a regrouping after a run sweeps once per claim key it touched.
    let mut select = conn.prepare_cached(sql)?;
    let mut rows = select.query(params)?;
    let mut changed = Vec::new();
    while let Some(row) = rows.next()? {
        let (figure, stored) = swept(row)?;
        let claim = sweeper.assign(&figure);
        if stored != Some(claim) {
            changed.push((figure.id, claim));
        }
    }
    // Written in id order, not key order: figures of one key lie all over the table, and
    // writing them as met dirties a far page for nearly every figure (a whole regrouping then
    // writes the table many times over); in id order each page is written once.
    changed.sort_unstable();
    let mut update = conn.prepare_cached("UPDATE statistics SET claim_id = ?2 WHERE id = ?1")?;
    for (id, claim) in &changed {
        update.execute(params![id, claim])?;
    }
    Ok(changed.len() as u64)
}

/// Claims given to new figures as they are stored, when a whole sweep would give them the same
/// ones, so a pass leaves the regrouping after it only the keys it could not settle (and the
/// figures need no second write). Per claim key met since it was last emptied: where a sweep
/// of the key's stored figures ends, or None when the key is unsettled (a stored figure
/// without the claim a sweep gives it, or a new figure that sorts before a stored one).
///
/// Only what committed writes left may be held: the store takes it out for a write and puts it
/// back once the write is done, and empties it when a batch fails to commit and before every
/// regrouping.
#[derive(Debug, Default)]
pub(super) struct ClaimEnds(HashMap<KeyBits, Option<KeyEnd>>);

/// Keys held at most; past this the map is emptied (its keys are read again when met).
const CLAIM_ENDS_HELD: usize = 100_000;

/// A [`ClaimKey`] as a map key: its numbers by their bits, -0 as 0 (SQL finds one with the other).
type KeyBits = (
    String,
    [Option<u64>; 3],
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<String>,
);

fn key_bits(key: &ClaimKey) -> KeyBits {
    let bits = |x: Option<f64>| x.map(|x| (x + 0.0).to_bits());
    (
        key.unit.clone(),
        [bits(key.value), bits(key.low), bits(key.high)],
        key.topic.clone(),
        key.location.clone(),
        key.year,
        key.change.clone(),
    )
}

/// Where the sweep of one settled key ends.
#[derive(Debug)]
struct KeyEnd {
    sweep: ClaimSweep,
    /// The day (NULL first, as SQLite sorts) and id of the key's last figure in sweep order.
    last: (Option<String>, i64),
}

impl ClaimEnds {
    /// The claim of new figure `id` of `key`, from an article of `day`: what a whole sweep
    /// gives it, when the key is settled and the figure sorts after all its stored figures;
    /// None otherwise (it is then grouped by the regrouping after the pass).
    pub(super) fn assign(&mut self, conn: &Connection, key: &ClaimKey, day: Option<&str>, id: i64) -> Result<Option<i64>> {
        if self.0.len() >= CLAIM_ENDS_HELD {
            self.0.clear();
        }
        let end = match self.0.entry(key_bits(key)) {
            std::collections::hash_map::Entry::Occupied(held) => held.into_mut(),
            std::collections::hash_map::Entry::Vacant(new) => new.insert(key_end(conn, key)?),
        };
        let here = (day.map(str::to_string), id);
        let claim = match end {
            Some(settled) if here > settled.last => {
                let claim = settled.sweep.assign(&Figure {
                    id,
                    key: key.clone(),
                    day: here.0.clone().unwrap_or_default(),
                });
                settled.last = here;
                Some(claim)
            }
            _ => None,
        };
        if claim.is_none() {
            *end = None;
        }
        Ok(claim)
    }
}

/// Where a sweep of `key`'s stored figures ends; None when one of them does not hold the claim
/// the sweep gives it.
fn key_end(conn: &Connection, key: &ClaimKey) -> Result<Option<KeyEnd>> {
    let mut select = conn.prepare_cached(&one_key_sweep())?;
    let mut rows = select.query(&key_params(key)[..])?;
    let mut sweep = ClaimSweep::default();
    let mut last = (None, 0);
    while let Some(row) = rows.next()? {
        let (figure, stored) = swept(row)?;
        if stored != Some(sweep.assign(&figure)) {
            return Ok(None);
        }
        // The day as SQLite sorts it, NULL apart from any text.
        last = (row.get(9)?, figure.id);
    }
    Ok(Some(KeyEnd { sweep, last }))
}

impl Store {
    /// Brings claims and stories up to date with the stored figures and articles.
    /// It is one write: in a batch (the daemon's passes) it joins the batch's transaction.
    pub fn regroup(&self, scope: Regroup) -> Result<Regrouped> {
        // What it changes is no longer where the held sweeps end.
        self.claim_ends.take();
        let tx = self.write_tx()?;
        let mut done = regroup_claims(&tx, scope)?;
        done.articles = regroup_stories(&tx, scope)?;
        tx.commit()?;
        Ok(done)
    }

    /// The claims with these ids, in the order asked (ids without a claim are left out).
    pub fn claims(&self, ids: &[i64]) -> Result<Vec<ClaimRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT claim_id, value, low, high, unit, topic, location, year, change, first_outlet,
                    first_date, first_url, first_title, reports, articles, outlets
             FROM claims_v WHERE claim_id = ?1",
        )?;
        let mut out = Vec::new();
        for id in ids {
            let mut rows = stmt.query([id])?;
            if let Some(row) = rows.next()? {
                out.push(ClaimRow {
                    claim_id: row.get(0)?,
                    value: row.get(1)?,
                    low: row.get(2)?,
                    high: row.get(3)?,
                    unit: row.get(4)?,
                    topic: row.get(5)?,
                    location: row.get(6)?,
                    year: row.get(7)?,
                    change: row.get(8)?,
                    first_outlet: row.get(9)?,
                    first_date: row.get(10)?,
                    first_url: row.get(11)?,
                    first_title: row.get(12)?,
                    reports: row.get(13)?,
                    articles: row.get(14)?,
                    outlets: row.get(15)?,
                });
            }
        }
        Ok(out)
    }
}

/// The figures of current articles as a sweep reads them: id, [`KEY_COLUMNS`], day, stored
/// claim. (`articles_current_story` holds only current articles, with their day: the join reads
/// neither an article's row nor its body, which lies before `day` in it.)
fn sweep_select() -> String {
    format!(
        "SELECT s.id, {KEY_COLUMNS}, a.day, s.claim_id
         FROM statistics s JOIN articles a INDEXED BY articles_current_story ON a.id = s.article_id
         WHERE a.superseded_at IS NULL"
    )
}

/// Sweep order: by key, then day (NULL first), then id.
const SWEEP_ORDER: &str = "ORDER BY s.unit, s.value, s.low, s.high, s.topic, s.location, s.year, s.change, a.day, s.id";

/// [`sweep_select`] of one claim key (bound as ?1 to ?8, in [`KEY_COLUMNS`] order), in sweep order.
fn one_key_sweep() -> String {
    format!(
        "{} AND s.unit = ?1 AND s.value IS ?2 AND s.low IS ?3 AND s.high IS ?4 AND s.topic IS ?5
           AND s.location IS ?6 AND s.year IS ?7 AND s.change IS ?8 {SWEEP_ORDER}",
        sweep_select()
    )
}

fn regroup_claims(conn: &Connection, scope: Regroup) -> Result<Regrouped> {
    let mut done = Regrouped::default();
    match scope {
        Regroup::All => {
            let mut sweeper = ClaimSweep::default();
            done.figures = sweep(conn, &format!("{} {SWEEP_ORDER}", sweep_select()), [], &mut sweeper)?;
        }
        Regroup::Touched => {
            // New figures have no claim yet; figures of a superseded version must leave theirs.
            let mut stmt = conn.prepare(&format!(
                "SELECT DISTINCT {KEY_COLUMNS} FROM statistics s
                 WHERE s.claim_id IS NULL
                   AND s.article_id IN (SELECT id FROM articles WHERE superseded_at IS NULL)
                 UNION
                 SELECT DISTINCT {KEY_COLUMNS} FROM statistics s
                 WHERE s.claim_id IS NOT NULL
                   AND s.article_id IN (SELECT id FROM articles WHERE superseded_at IS NOT NULL)"
            ))?;
            let keys = stmt.query_map([], |row| key(row, 0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            let one_key = one_key_sweep();
            for k in &keys {
                let mut sweeper = ClaimSweep::default();
                done.figures += sweep(conn, &one_key, &key_params(k)[..], &mut sweeper)?;
            }
            done.keys = keys.len() as u64;
        }
    }
    conn.execute(
        "UPDATE statistics SET claim_id = NULL WHERE claim_id IS NOT NULL
           AND article_id IN (SELECT id FROM articles WHERE superseded_at IS NOT NULL)",
        [],
    )?;
    Ok(done)
}

/// Fingerprints the current articles that have none (all of them for [`Regroup::All`]), then
/// groups every current article into stories; returns how many articles changed story.
fn regroup_stories(conn: &Connection, scope: Regroup) -> Result<u64> {
    let which = match scope {
        Regroup::All => "superseded_at IS NULL",
        Regroup::Touched => "superseded_at IS NULL AND simhash IS NULL",
    };
    {
        // The ids first (for a pass, by `articles_unfingerprinted`, which each update shrinks),
        // then each body: no statement reads the rows it is changing.
        let ids = conn
            .prepare(&format!("SELECT id FROM articles WHERE {which}"))?
            .query_map([], |row| row.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut body = conn.prepare("SELECT body FROM articles WHERE id = ?1")?;
        let mut update = conn.prepare("UPDATE articles SET simhash = ?2 WHERE id = ?1")?;
        for id in ids {
            let text: String = body.query_row([id], |row| row.get(0))?;
            update.execute(params![id, stored_simhash(simhash(&text))])?;
        }
    }
    let mut stmt = conn.prepare("SELECT id, day, simhash, story_id FROM articles WHERE superseded_at IS NULL ORDER BY id")?;
    let mut articles = Vec::new();
    let mut stored = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        articles.push(StoryArticle {
            id: row.get(0)?,
            day: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
            simhash: row.get::<_, Option<i64>>(2)?.map(|h| h as u64),
        });
        stored.push(row.get::<_, Option<i64>>(3)?);
    }
    let mut update = conn.prepare("UPDATE articles SET story_id = ?2 WHERE id = ?1")?;
    let mut changed = 0;
    for ((id, story), before) in group_stories(&articles).into_iter().zip(stored) {
        if before != Some(story) {
            update.execute(params![id, story])?;
            changed += 1;
        }
    }
    conn.execute(
        "UPDATE articles SET story_id = NULL WHERE story_id IS NOT NULL AND superseded_at IS NOT NULL",
        [],
    )?;
    Ok(changed)
}
