//! A lock file so that two overlapping runs never both write.
