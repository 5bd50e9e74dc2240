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

mod builder;
mod follow;
mod runs;
mod stores;

pub use builder::RuntimeBuilder;
pub use follow::{Follow, FollowError, DEFAULT_POLL_INTERVAL};

use crate::agent::{AgentRt, Run};
use crate::approval::{
    AgentPolicy, ApprovalBook, ApprovalError, ApprovalRequest, Decision, Predicates,
};
use crate::event::{RunStream, StreamPart};
use crate::interpreter::{self, live, Interpreter, InterpreterKind};
use crate::plan::{ActionDispatcher, PlanStore};
use crate::reference::{KvReferenceStore, ReferenceError, References};
use crate::spec::{validate, RuntimeSpec, SpecError, TenantIdentity};
use crate::store::agent_memory::AgentMemory;
use crate::store::Store;
use crate::tool::compose::{compose, Slot};
use crate::tool::ToolBinding;
use crate::trace::RunLog;
use serde_json::Value;
use std::any::Any;
use std::collections::{BTreeMap, HashMap};
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
    /// The registered dynamic approval predicates.
    pub predicates: Option<Arc<dyn Predicates>>,
    /// Carries out approved plans (a no-op when `None`).
    pub action_dispatcher: Option<Arc<dyn ActionDispatcher>>,
    /// Cassette to record every model call to (live interpreters only).
    pub record_to: Option<std::path::PathBuf>,
    /// Cassette the `replay` interpreter serves model calls from.
    pub replay_from: Option<std::path::PathBuf>,
    /// The wire data environment, if any (only its `kv` store is supported in this release).
    pub data_environment: Option<Value>,
    /// A store to keep all runtime state in, overriding `storage_factories` (Rust callers
    /// that opened one themselves, e.g. [`crate::store::sqlite::SqliteStore`]).
    pub store: Option<Arc<dyn Store>>,
}

pub(crate) struct RuntimeInner {
    pub(crate) spec: RuntimeSpec,
    pub(crate) agents: Vec<AgentRt>,
    pub(crate) by_name: HashMap<String, usize>,
    pub(crate) interpreter: Box<dyn Interpreter>,
    pub(crate) plan_specs: HashMap<String, jsonschema::Validator>,
    pub(crate) plans: PlanStore,
    pub(crate) approvals: ApprovalBook,
    pub(crate) predicates: Option<Arc<dyn Predicates>>,
    pub(crate) dispatcher: Option<Arc<dyn ActionDispatcher>>,
    pub(crate) memory: AgentMemory,
    pub(crate) references: References,
    /// Run records, the journal, recorded steps and approvals.
    pub(crate) store: Arc<dyn Store>,
    /// New runs whose record is not durable yet (what a follower may wait for).
    pub(crate) starting: Arc<crate::trace::starting::Starting>,
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
    /// A front end's per-run extension, visible to tools through [`ToolContext::host`](crate::ToolContext::host).
    pub host: Option<Arc<dyn Any + Send + Sync>>,
    /// Continue this run (its id) instead of starting one: `entry`, `prompt` and
    /// `thread_id` are ignored.
    pub resume: Option<String>,
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
        let stores = stores::open(&spec, &options)?;
        validate::check_agents(&spec)?;
        let registries = validate::check_registries(&spec)?;
        let bindings: HashMap<String, ToolBinding> = options
            .tools
            .iter()
            .map(|b| (b.def.binding_id.clone(), b.clone()))
            .collect();
        let mut agents = Vec::with_capacity(spec.agents.len());
        for a in &spec.agents {
            let attached = options
                .agent_tools
                .get(&a.name)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let (tools, defs) = compose(&spec, a, &bindings, attached)?;
            let policy = AgentPolicy::compile(&spec, a, &bindings, attached);
            agents.push(AgentRt {
                spec: a.clone(),
                tools,
                policy,
                defs,
            });
        }
        let catalog = |slot: &Slot| matches!(slot, Slot::Unavailable { toolkit: "catalog" });
        if let Some(a) = agents.iter().find(|a| a.tools.values().any(catalog)) {
            return Err(SpecError::CatalogSearch(a.spec.name.clone()));
        }
        let transports: &[&str] = match &options.interpreter {
            InterpreterKind::Live => &crate::provider::KEYS,
            _ => &["anthropic"],
        };
        // `openai`, `replay` and a caller's own provider run every agent on one transport,
        // whatever its model would route to.
        let one_transport = matches!(
            options.interpreter,
            InterpreterKind::OpenAi | InterpreterKind::Replay | InterpreterKind::Provider(_)
        );
        if !one_transport {
            validate::check_providers(&spec, transports)?;
        }
        let predicates = options.predicates.clone();
        let registered = |id: &str| predicates.as_ref().is_some_and(|p| p.contains(id));
        validate::check_predicates(&spec, &registered)?;
        let plan_specs = registries.plans;
        let references = References::new(
            &spec.tenant.resource_id,
            &spec.references,
            registries.references,
            Arc::new(KvReferenceStore::new(stores.kv.clone())),
        )?;
        let interpreter = build_interpreter(&spec, &options)?;
        let tenant = &spec.tenant.resource_id.clone();
        let by_name = agents
            .iter()
            .enumerate()
            .map(|(i, a)| (a.spec.name.clone(), i))
            .collect();
        let inner = RuntimeInner {
            interpreter,
            spec,
            agents,
            by_name,
            memory: AgentMemory::new(stores.memory, tenant),
            references,
            plan_specs,
            plans: PlanStore::new(stores.plans, tenant),
            approvals: ApprovalBook::new(stores.kv.clone(), tenant),
            store: stores.kv,
            starting: Arc::default(),
            predicates,
            dispatcher: options.action_dispatcher,
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
            resume: None,
        })
    }

    /// Continues run `run_id` (paused at an approval, or interrupted by a stopped process)
    /// to its end. Recorded steps are not run again; the stream yields only the events that
    /// follow the last one in the journal, continuing its sequence.
    pub fn resume(&self, run_id: &str) -> RunStream {
        self.start(RunRequest {
            entry: Entry::Coordinator,
            prompt: String::new(),
            thread_id: None,
            host: None,
            resume: Some(run_id.into()),
        })
    }

    /// Runs the specialist `name` on `prompt`; the thread defaults to `specialist-<uuid>`.
    pub fn run_specialist(&self, name: &str, prompt: &str, thread_id: Option<&str>) -> RunStream {
        self.start(RunRequest {
            entry: Entry::Specialist(name.into()),
            prompt: prompt.into(),
            thread_id: thread_id.map(str::to_string),
            host: None,
            resume: None,
        })
    }

    /// Starts a request (or resumes one, see [`RunRequest::resume`]). Request-level failures
    /// (no coordinator, unknown or non-specialist entry, unknown run) produce a stream of
    /// exactly one `error` event.
    pub fn start(&self, request: RunRequest) -> RunStream {
        let cancel = self.inner.cancel.child_token();
        let rt = self.inner.clone();
        let run_cancel = cancel.clone();
        let tenant = &rt.spec.tenant.resource_id;
        let log = match &request.resume {
            Some(id) => RunLog::new(rt.store.clone(), tenant, id.clone()),
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                RunLog::starting(rt.store.clone(), tenant, id, rt.starting.clone())
            }
        };
        let run_log = log.clone();
        // Boxed, and scoped below: what only starts the run is not kept while it runs.
        let mut request = Box::new(request);
        RunStream::journaled(cancel, Some(log), move |out| async move {
            let (entry, run) = {
                let begun = match request.resume.take() {
                    Some(id) => runs::resumed(&rt, &run_log, &id),
                    None => runs::begin(&rt, &run_log, &mut request),
                };
                let (entry, info) = match begun {
                    Ok(begun) => begun,
                    Err(message) => return out.refuse(StreamPart::error(message)).await,
                };
                let run = Run {
                    rt,
                    out,
                    cancel: run_cancel,
                    host: request.host.take(),
                    log: run_log,
                    info: Arc::new(info),
                };
                drop(request);
                (entry, run)
            };
            run.entry(entry).await;
        })
    }

    /// Records a decision on a pending approval and wakes the gate waiting on it. Returns
    /// at once; the run continues as its consumer reads on.
    ///
    /// # Errors
    /// [`ApprovalError::NotFound`] for an unknown id, [`ApprovalError::AlreadyResolved`] for a
    /// request already decided or expired.
    pub fn respond_to_approval(
        &self,
        approval_id: &str,
        decision: Decision,
    ) -> Result<(), ApprovalError> {
        self.inner.approvals.respond(approval_id, decision)
    }

    /// The approval requests waiting for a decision, oldest first, from every process
    /// sharing this runtime's store.
    ///
    /// # Errors
    /// [`ApprovalError::Store`] when the store cannot be read.
    pub fn pending_approvals(&self) -> Result<Vec<ApprovalRequest>, ApprovalError> {
        self.inner.approvals.pending()
    }

    /// The stored plan object (runtime-behavior §4.5) of plan `plan_id`.
    pub fn plan(&self, plan_id: &str) -> Option<Value> {
        self.inner
            .plans
            .get(plan_id)
            .ok()
            .flatten()
            .map(|p| p.to_value())
    }

    /// The tenant-bound reference API (runtime-behavior §11).
    pub fn references(&self) -> &References {
        &self.inner.references
    }

    /// Validates `value` against `kind`'s schema and stores it; returns
    /// `{"glimpse", "id", "kind"}` (`glimpse` defaults to `{}`).
    ///
    /// # Errors
    /// `unknown reference kind: <kind>`; `schema validation failed for kind '<kind>': [...]`.
    pub fn create_reference(
        &self,
        kind: &str,
        value: Value,
        glimpse: Option<Value>,
    ) -> Result<Value, ReferenceError> {
        let glimpse = glimpse.unwrap_or_else(|| Value::Object(Default::default()));
        self.inner.references.create(kind, value, glimpse)
    }

    /// The stored value of reference `(kind, id)`.
    ///
    /// # Errors
    /// `unknown reference kind: <kind>`; `reference not found: kind=<kind> id=<id>`.
    pub fn resolve_reference(&self, kind: &str, id: &str) -> Result<Value, ReferenceError> {
        self.inner.references.resolve(kind, id)
    }

    /// The stored glimpse of reference `(kind, id)`.
    ///
    /// # Errors
    /// As [`Runtime::resolve_reference`].
    pub fn reference_glimpse(&self, kind: &str, id: &str) -> Result<Value, ReferenceError> {
        self.inner.references.glimpse(kind, id)
    }

    /// The stored memory `{"messages": [...]}` of a stateful agent on a thread.
    pub fn agent_memory(&self, thread_id: &str, agent: &str) -> Option<Value> {
        self.inner.memory.load(thread_id, agent).ok().flatten()
    }
}

impl Drop for RuntimeInner {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// The interpreter of `options` (live ones are built from the spec's providers).
fn build_interpreter(
    spec: &RuntimeSpec,
    options: &RuntimeOptions,
) -> Result<Box<dyn Interpreter>, SpecError> {
    let record = options.record_to.as_deref();
    let live = matches!(
        options.interpreter,
        InterpreterKind::Anthropic | InterpreterKind::OpenAi | InterpreterKind::Live
    );
    if record.is_some() && !live {
        return Err(SpecError::Provider(
            "record_to requires a live interpreter (anthropic, openai or live)".into(),
        ));
    }
    match &options.interpreter {
        InterpreterKind::Anthropic => live::build_on(spec, "anthropic", record),
        InterpreterKind::OpenAi => live::build_on(spec, "openai-compatible", record),
        InterpreterKind::Live => live::build(spec, record),
        InterpreterKind::Replay => {
            let path = options.replay_from.as_deref().ok_or_else(|| {
                SpecError::Provider(
                    "interpreter='replay' requires replay_from (a cassette path)".into(),
                )
            })?;
            live::replay(path)
        }
        other => Ok(interpreter::build_simple(other)),
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
