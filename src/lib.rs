//! vigia turns security news into queryable figures.
//!
//! One pass of the pipeline reads the configured sources, fetches new articles politely,
//! extracts the main text and its metadata, pulls out statistics and entities, and stores
//! everything in one SQLite file:
//!
//! ```text
//! config ─► discover ─► fetch ─► article ─► extract ─► store
//! ```
//!
//! Each stage is a module of plain functions or one small struct; plain structs flow between
//! them. `article` and `extract` are pure (text in, structs out), `store` is the only module
//! that speaks SQL, and `fetch` the only one that speaks HTTP.

pub mod article;
pub mod chart;
pub mod claims;
pub mod config;
pub mod discover;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod lock;
pub mod markup;
pub mod pipeline;
pub mod store;
pub mod trend;
