//! The `vigia` command line: parse, set up logging, dispatch.

fn main() {}
