//! Every keyword the macros understand, in one table: the `#[flowai(...)]` attribute keys
//! (as [`Symbol`]s, after serde_derive's `symbol.rs`) and the words of the state-machine
//! grammar (as `syn::custom_keyword!`s).

use std::fmt::{self, Display};
use syn::{Ident, Path};

/// An attribute key.
#[derive(Copy, Clone)]
pub(crate) struct Symbol(pub(crate) &'static str);

/// The attribute every derive reads.
pub(crate) const FLOWAI: Symbol = Symbol("flowai");
/// serde's attribute (read by `Action` for `tag`, `rename_all`, `rename`).
pub(crate) const SERDE: Symbol = Symbol("serde");
pub(crate) const DOC: Symbol = Symbol("doc");

// `#[flowai(...)]` keys of `Tool`, `Plan` and `Agent`.
pub(crate) const NAME: Symbol = Symbol("name");
pub(crate) const DESCRIPTION: Symbol = Symbol("description");
pub(crate) const APPROVAL: Symbol = Symbol("approval");
pub(crate) const PREDICATE: Symbol = Symbol("predicate");
pub(crate) const IDEMPOTENT: Symbol = Symbol("idempotent");
pub(crate) const DISPLAY_ALIASES: Symbol = Symbol("display_aliases");
pub(crate) const ROLE: Symbol = Symbol("role");
pub(crate) const MODEL: Symbol = Symbol("model");
pub(crate) const PROVIDER: Symbol = Symbol("provider");
pub(crate) const PROMPT: Symbol = Symbol("prompt");
pub(crate) const ROUTES: Symbol = Symbol("routes");
pub(crate) const TOOLS: Symbol = Symbol("tools");
pub(crate) const TOOLKITS: Symbol = Symbol("toolkits");
pub(crate) const PLAN: Symbol = Symbol("plan");
pub(crate) const TOOL_APPROVALS: Symbol = Symbol("tool_approvals");
pub(crate) const STATEFUL: Symbol = Symbol("stateful");
pub(crate) const MAX_TURNS: Symbol = Symbol("max_turns");
// Channels of `approval(...)` on an agent.
pub(crate) const PLANS: Symbol = Symbol("plans");
// serde keys.
pub(crate) const TAG: Symbol = Symbol("tag");
pub(crate) const RENAME: Symbol = Symbol("rename");
pub(crate) const RENAME_ALL: Symbol = Symbol("rename_all");

// Values.
pub(crate) const ROLES: [&str; 4] = ["coordinator", "planner", "executor", "specialist"];
pub(crate) const TOOLKIT_IDS: [&str; 4] = ["agents", "plans", "references", "catalog"];
pub(crate) const PLAN_STATUSES: [&str; 5] =
    ["approved", "draft", "executed", "executing", "failed"];
/// The discriminator of plan actions (`{kind, payload, references}`).
pub(crate) const ACTION_TAG: &str = "kind";

/// Words of the `state_machine!` grammar.
pub(crate) mod machine {
    syn::custom_keyword!(machine);
    syn::custom_keyword!(states);
    syn::custom_keyword!(initial);
    syn::custom_keyword!(terminal);
    syn::custom_keyword!(transitions);
}

/// Methods every typestate wrapper has; an edge may not take these names.
pub(crate) const RESERVED_METHODS: [&str; 6] =
    ["new", "value", "value_mut", "into_inner", "state", "map"];

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for &Ident {
    fn eq(&self, word: &Symbol) -> bool {
        *self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// `` `a`, `b` or `c` `` for messages.
pub(crate) fn one_of(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}
