//! Procedural macros for flowai.
//!
//! The derives for agents, tools and typed plans (`#[derive(Agent)]`, `#[derive(Tool)]`,
//! `#[derive(Plan)]`, the state-machine declaration) are built on this crate; the engine
//! re-exports them from `flowai`. This first release ships no macro yet: the engine and its
//! builder API come first, the macros follow in the typed state-machine work.
