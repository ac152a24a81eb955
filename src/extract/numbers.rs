//! Reads numbers written with digits or words, in English and Spanish conventions.
