//! # flowai
//!
//! The engine of the flowai agent harness: multi-step, tool-using data agents that plan,
//! call the host's tools, pause for approval and stream progress back. One engine serves
//! two front ends: Rust (this crate, usable with no Python present) and the Python package
//! `flowai_harness`, which drives the same [`Runtime`] through PyO3.
//!
//! A run is a plain future that writes [`StreamPart`] events into a bounded channel; the
//! [`RunStream`] returned by [`Runtime::query`] drives it inline as it is read, so a
//! deterministic run costs no thread hand-off at all.
//!
//! # Examples
//!
//! The documented hello world on the testing interpreter:
//!
//! ```
//! use flowai::{AgentSpec, InterpreterKind, Runtime, TenantIdentity};
//! use futures::StreamExt;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
//!     .agent(AgentSpec::coordinator("hello_coordinator", "claude-sonnet-4-6", "Greet.", &["greeter"]))
//!     .agent(AgentSpec::specialist("greeter", "claude-sonnet-4-6", "Say hello."))
//!     .interpreter(InterpreterKind::Mock { response: "hello from the Rust runtime".into() })
//!     .build()
//!     .unwrap();
//! let events: Vec<_> = runtime.query("Say hello", "thread-1").collect().await;
//! assert_eq!(events.len(), 7);
//! assert_eq!(events[3].to_value()["text"], "hello from the Rust runtime");
//! # });
//! ```
#![warn(missing_docs)]

// Generated code names the engine `::flowai::...`; this makes those paths work here too.
extern crate self as flowai;

pub mod event;
pub mod lifecycle;
pub mod machine;
pub mod spec;
pub mod typed;

#[cfg(feature = "runtime")]
mod agent;
#[cfg(feature = "runtime")]
pub mod approval;
#[cfg(feature = "runtime")]
pub mod interpreter;
#[cfg(feature = "runtime")]
pub mod plan;
#[cfg(feature = "runtime")]
pub mod prompt;
#[cfg(feature = "runtime")]
pub mod provider;
#[cfg(feature = "runtime")]
pub mod reference;
#[cfg(feature = "runtime")]
pub mod runtime;
#[cfg(feature = "runtime")]
pub mod store;
#[cfg(feature = "runtime")]
pub mod tool;
#[cfg(feature = "runtime")]
pub mod trace;

pub use event::StreamPart;
pub use spec::{AgentSpec, Role, RuntimeSpec, SpecError, TenantIdentity};

pub use flowai_macros::state_machine;

#[cfg(feature = "runtime")]
pub use event::RunStream;
#[cfg(feature = "runtime")]
pub use interpreter::InterpreterKind;
#[cfg(feature = "runtime")]
pub use reference::{ReferenceError, References};
#[cfg(feature = "runtime")]
pub use runtime::{Entry, RunRequest, Runtime, RuntimeBuilder, RuntimeOptions};
#[cfg(feature = "runtime")]
pub use tool::{Tool, ToolBinding, ToolContext, ToolDef, ToolOutput};

/// Items generated code refers to; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use serde_json;

    // The state machine (`state_machine!`).
    pub use crate::machine::{
        deserialize_state, serialize_state, Machine, State, TransitionError, UnknownState,
    };
    pub use serde;
    pub use std::marker::PhantomData;
    pub use std::str::FromStr;
    pub use std::{fmt, result::Result};

    // The derives (`Tool`, `tool`, `Action`, `Plan`, `Agent`).
    pub use crate::spec::{
        AgentSpec, ApprovalPolicyPatch, ApprovalRule, PlanDisplayAlias, PlanSpec, Role,
    };
    pub use crate::typed::{
        approval_patch, assert, check_predicate, decode_args, Action, Agent, AgentParts,
        ApprovalPredicate, CallContext, IntoPrompt, Plan, ToolArgs, ToolFuture, ToolRef,
        ToolResult, TypedTool,
    };
    pub use std::boxed::Box;
    pub use std::collections::BTreeMap;
    pub use std::option::Option;
    pub use std::string::String;
    pub use std::vec::Vec;
}
