//! Researcher exports of articles, statistics and entities as CSV or JSON Lines.
