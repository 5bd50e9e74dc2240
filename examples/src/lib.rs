//! Runnable flowai examples. The binaries print; the scenarios live here so tests can
//! drive them.

pub mod acme;
