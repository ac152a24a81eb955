//! One pass over the due sources: discover, fetch, extract, store.
