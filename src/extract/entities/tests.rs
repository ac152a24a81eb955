//! Tests of the entity finder on made-up sentences in both languages.

use super::*;
use crate::extract::sentences;
