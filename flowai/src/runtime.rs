//! The [`Runtime`] handle: one validated spec, compiled agents, stores and an interpreter.
//!
//! # Examples
//!
//! The scripted interpreter driving a specialist's Rust tool:
//!
//! ```
//! use flowai::{AgentSpec, InterpreterKind, Runtime, StreamPart, TenantIdentity, ToolDef};
//! use futures::StreamExt;
//! use serde_json::json;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
//!     .agent(AgentSpec::specialist("worker", "claude-sonnet-4-6", "You echo."))
//!     .tool("worker", ToolDef::new("echo", json!({"type": "object"})), |args, _ctx| async move {
//!         Ok(json!({"echo": args["value"]}))
//!     })
//!     .interpreter(InterpreterKind::Scripted)
//!     .build()
//!     .unwrap();
//! let script = json!({"tool": "echo", "args": {"value": "hello"}}).to_string();
//! let events: Vec<StreamPart> = runtime.run_specialist("worker", &script, Some("t")).collect().await;
//! assert_eq!(events[4], StreamPart::Text { text: r#"{"echo":"hello"}"#.into() });
//! # });
//! ```

use crate::agent::{AgentRt, Run};
use crate::event::{RunStream, StreamPart};
use crate::interpreter::{self, Interpreter, InterpreterKind};
use crate::spec::{validate, AgentSpec, Role, RuntimeSpec, SpecError, TenantIdentity};
use crate::store::MemoryStore;
use crate::tool::compose::{compose, gated_rules, Slot};
use crate::tool::{tool_fn, ToolBinding, ToolContext, ToolDef};
use serde_json::Value;
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Everything besides the spec that a runtime is built from.
#[derive(Clone, Default)]
pub struct RuntimeOptions {
    /// The interpreter every agent runs on.
    pub interpreter: InterpreterKind,
    /// Host tools by binding key.
    pub tools: Vec<ToolBinding>,
    /// Agent name → binding keys of the host tools attached to it.
    pub agent_tools: BTreeMap<String, Vec<String>>,
    /// Ids of the registered dynamic approval predicates.
    pub predicates: BTreeSet<String>,
    /// The wire data environment, if any (not supported in this release).
    pub data_environment: Option<Value>,
}

pub(crate) struct RuntimeInner {
    pub(crate) spec: RuntimeSpec,
    pub(crate) agents: Vec<AgentRt>,
    pub(crate) by_name: HashMap<String, usize>,
    pub(crate) interpreter: Box<dyn Interpreter>,
    pub(crate) memory: MemoryStore,
    cancel: CancellationToken,
}

/// A runtime handle bound to one tenant. Cheap to clone; every clone drives the same agents
/// and stores.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

/// Which agent a request enters through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// The single coordinator (`query`).
    Coordinator,
    /// A named specialist (`run_specialist`).
    Specialist(String),
}

/// One request to [`Runtime::start`].
#[derive(Clone)]
pub struct RunRequest {
    /// The entry agent.
    pub entry: Entry,
    /// The user prompt.
    pub prompt: String,
    /// The thread; `None` means `specialist-<uuid>` for specialists.
    pub thread_id: Option<String>,
    /// A front end's per-run extension, visible to tools through [`ToolContext::host`].
    pub host: Option<Arc<dyn Any + Send + Sync>>,
}

impl Runtime {
    /// Validates `spec` with the construction checks of runtime-behavior §2 (in order) and
    /// compiles every agent's dispatcher.
    ///
    /// # Errors
    /// The first failing check as a [`SpecError`] with the contract's exact message;
    /// [`SpecError::Unsupported`] for a valid request this release cannot serve.
    pub fn new(spec: RuntimeSpec, options: RuntimeOptions) -> Result<Self, SpecError> {
        if options.interpreter == InterpreterKind::Anthropic {
            check_anthropic(&spec)?;
        }
        if options.data_environment.is_some() {
            return Err(SpecError::Unsupported("data_environment".into()));
        }
        validate::check_agents(&spec)?;
        validate::check_registries(&spec)?;
        let bindings: HashMap<String, ToolBinding> = options
            .tools
            .iter()
            .map(|b| (b.def.binding_id.clone(), b.clone()))
            .collect();
        let mut agents = Vec::with_capacity(spec.agents.len());
        let mut gated = Vec::new();
        for a in &spec.agents {
            let attached = options
                .agent_tools
                .get(&a.name)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let (tools, defs) = compose(&spec, a, &bindings, attached)?;
            gated.extend(gated_rules(&spec, a, &tools, &bindings, attached));
            agents.push(AgentRt {
                spec: a.clone(),
                tools,
                defs,
            });
        }
        let catalog = |slot: &Slot| matches!(slot, Slot::Unavailable { toolkit: "catalog" });
        if let Some(a) = agents.iter().find(|a| a.tools.values().any(catalog)) {
            return Err(SpecError::CatalogSearch(a.spec.name.clone()));
        }
        validate::check_providers(&spec)?;
        validate::check_predicates(&spec, &|id| options.predicates.contains(id))?;
        if !gated.is_empty() {
            return Err(SpecError::Unsupported(format!(
                "approval gates for tool calls (rules other than 'never' for {})",
                gated.join(", ")
            )));
        }
        if options.interpreter == InterpreterKind::Anthropic {
            return Err(SpecError::Unsupported(
                "interpreter='anthropic' (live model providers)".into(),
            ));
        }
        let by_name = agents
            .iter()
            .enumerate()
            .map(|(i, a)| (a.spec.name.clone(), i))
            .collect();
        let inner = RuntimeInner {
            interpreter: interpreter::build(&options.interpreter),
            spec,
            agents,
            by_name,
            memory: MemoryStore::default(),
            cancel: CancellationToken::new(),
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// A builder for runtimes assembled in Rust.
    pub fn builder(tenant: TenantIdentity) -> RuntimeBuilder {
        RuntimeBuilder {
            spec: RuntimeSpec::new(tenant),
            options: RuntimeOptions::default(),
        }
    }

    /// The tenant resource id.
    pub fn resource_id(&self) -> &str {
        &self.inner.spec.tenant.resource_id
    }

    /// The validated spec.
    pub fn spec(&self) -> &RuntimeSpec {
        &self.inner.spec
    }

    /// Runs the coordinator on `prompt`. Nothing runs until the stream is polled.
    pub fn query(&self, prompt: &str, thread_id: &str) -> RunStream {
        self.start(RunRequest {
            entry: Entry::Coordinator,
            prompt: prompt.into(),
            thread_id: Some(thread_id.into()),
            host: None,
        })
    }

    /// Runs the specialist `name` on `prompt`; the thread defaults to `specialist-<uuid>`.
    pub fn run_specialist(&self, name: &str, prompt: &str, thread_id: Option<&str>) -> RunStream {
        self.start(RunRequest {
            entry: Entry::Specialist(name.into()),
            prompt: prompt.into(),
            thread_id: thread_id.map(str::to_string),
            host: None,
        })
    }

    /// Starts a request. Request-level failures (no coordinator, unknown or non-specialist
    /// entry) produce a stream of exactly one `error` event.
    pub fn start(&self, request: RunRequest) -> RunStream {
        let cancel = self.inner.cancel.child_token();
        let rt = self.inner.clone();
        let run_cancel = cancel.clone();
        RunStream::new(cancel, move |out| async move {
            let entry = match resolve_entry(&rt, &request.entry) {
                Ok(index) => index,
                Err(message) => return out.emit(StreamPart::error(message)).await,
            };
            let thread = request
                .thread_id
                .unwrap_or_else(|| format!("specialist-{}", uuid::Uuid::new_v4()));
            let run = Run {
                rt,
                out,
                cancel: run_cancel,
                host: request.host,
            };
            run.entry(entry, request.prompt, thread).await;
        })
    }

    /// The stored memory `{"messages": [...]}` of a stateful agent on a thread.
    pub fn agent_memory(&self, thread_id: &str, agent: &str) -> Option<Value> {
        self.inner.memory.load(thread_id, agent)
    }
}

impl Drop for RuntimeInner {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

fn resolve_entry(rt: &RuntimeInner, entry: &Entry) -> Result<usize, String> {
    match entry {
        Entry::Coordinator => rt
            .agents
            .iter()
            .position(|a| a.spec.role == Role::Coordinator)
            .ok_or_else(|| "no coordinator agent registered in the spec".to_string()),
        Entry::Specialist(name) => match rt.by_name.get(name) {
            None => Err(format!("specialist '{name}' not found")),
            Some(&i) if rt.agents[i].spec.role != Role::Specialist => {
                Err(format!("agent '{name}' is not a specialist"))
            }
            Some(&i) => Ok(i),
        },
    }
}

/// Checks 3 and 4 for `interpreter='anthropic'`.
fn check_anthropic(spec: &RuntimeSpec) -> Result<(), SpecError> {
    let provider = spec
        .providers
        .get("anthropic")
        .ok_or(SpecError::AnthropicProviderMissing)?;
    let has_key = provider.get("apiKey").is_some_and(Value::is_string);
    let env_set = provider
        .get("apiKeyEnv")
        .and_then(Value::as_str)
        .is_some_and(|var| std::env::var_os(var).is_some());
    if has_key || env_set {
        Ok(())
    } else {
        Err(SpecError::AnthropicCredential)
    }
}

/// Assembles a [`Runtime`] in Rust: agents, closures as tools, the interpreter.
pub struct RuntimeBuilder {
    spec: RuntimeSpec,
    options: RuntimeOptions,
}

impl RuntimeBuilder {
    /// Adds an agent.
    pub fn agent(mut self, agent: AgentSpec) -> Self {
        self.spec.agents.push(agent);
        self
    }

    /// Attaches an async closure as a tool of `agent`.
    pub fn tool<F, Fut>(mut self, agent: &str, def: ToolDef, f: F) -> Self
    where
        F: Fn(Value, ToolContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, String>> + Send + 'static,
    {
        // One binding per call: two closures with one name on one agent are a collision.
        let base = format!("{agent}/{}", def.binding_id);
        let taken = |k: &String| self.options.tools.iter().any(|b| &b.def.binding_id == k);
        let mut key = base.clone();
        for n in 2.. {
            if !taken(&key) {
                break;
            }
            key = format!("{base}#{n}");
        }
        let def = ToolDef {
            binding_id: key.clone(),
            ..def
        };
        self.options
            .agent_tools
            .entry(agent.to_string())
            .or_default()
            .push(key);
        self.options.tools.push(ToolBinding {
            def,
            tool: tool_fn(f),
        });
        self
    }

    /// Selects the interpreter.
    pub fn interpreter(mut self, kind: InterpreterKind) -> Self {
        self.options.interpreter = kind;
        self
    }

    /// Mutable access to the spec for anything the builder has no method for.
    pub fn spec_mut(&mut self) -> &mut RuntimeSpec {
        &mut self.spec
    }

    /// Validates and builds the runtime.
    ///
    /// # Errors
    /// As [`Runtime::new`].
    pub fn build(self) -> Result<Runtime, SpecError> {
        Runtime::new(self.spec, self.options)
    }
}
