//! The thread behind a [`PostgresStore`](super::PostgresStore): a current-thread tokio
//! runtime owning the connection, serving requests one at a time, reconnecting once when
//! the connection was lost.

use super::sql::{execute, migrate, prepare, Conn, Failure};
use crate::store::open::scrub;
use crate::store::{Op, Record, StoreError};
use serde_json::Value;
use std::sync::{mpsc, Arc};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Config, NoTls};

pub(super) enum Request {
    Commit {
        tenant: String,
        ops: Vec<Op>,
    },
    Get {
        tenant: String,
        key: String,
    },
    GetMany {
        tenant: String,
        keys: Vec<String>,
    },
    Scan {
        tenant: String,
        prefix: String,
    },
    Events {
        tenant: String,
        run: String,
        after: u64,
    },
}

pub(super) enum Reply {
    Done,
    Record(Option<Record>),
    Records(Vec<(String, Record)>),
    Events(Vec<(u64, Arc<Value>)>),
}

pub(super) struct Job {
    pub request: Request,
    pub reply: mpsc::Sender<Result<Reply, StoreError>>,
}

pub(super) struct Worker {
    config: Config,
    table: String,
    describe: String,
    secrets: Vec<String>,
    conn: Option<Conn>,
}

impl Worker {
    pub(super) fn new(config: Config, table: &str, describe: String, secrets: Vec<String>) -> Self {
        Worker {
            config,
            table: table.to_string(),
            describe,
            secrets,
            conn: None,
        }
    }

    /// The thread's body: connect and migrate (reporting on `ready`), then serve `inbox`
    /// until every sender is gone.
    pub(super) fn run(
        mut self,
        mut inbox: UnboundedReceiver<Job>,
        ready: mpsc::Sender<Result<(), StoreError>>,
    ) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                let _ = ready.send(Err(self.unavailable(format!("cannot start a runtime: {e}"))));
                return;
            }
        };
        runtime.block_on(async move {
            let opened = match self.connect().await {
                Ok(conn) => {
                    self.conn = Some(conn);
                    Ok(())
                }
                Err(e) => Err(e),
            };
            let failed = opened.is_err();
            if ready.send(opened).is_err() || failed {
                return;
            }
            while let Some(job) = inbox.recv().await {
                let result = self.serve(&job.request).await;
                let _ = job.reply.send(result);
            }
        });
    }

    fn unavailable(&self, detail: String) -> StoreError {
        StoreError::Unavailable {
            store: self.describe.clone(),
            detail: scrub(detail, &self.secrets),
        }
    }

    fn pg_error(&self, e: &tokio_postgres::Error) -> StoreError {
        self.unavailable(describe_error(e))
    }

    async fn connect(&self) -> Result<Conn, StoreError> {
        let (mut client, connection) = self
            .config
            .connect(NoTls)
            .await
            .map_err(|e| self.pg_error(&e))?;
        // The connection task ends when the socket closes; the client then reports closed.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        migrate(&mut client, &self.table, &self.describe)
            .await
            .map_err(|f| match f {
                Failure::Store(e) => e,
                Failure::Pg { error, .. } => self.pg_error(&error),
            })?;
        let stmts = prepare(&client, &self.table)
            .await
            .map_err(|e| self.pg_error(&e))?;
        Ok(Conn { client, stmts })
    }

    /// Runs `request`, reconnecting once if the connection is (found) lost.
    async fn serve(&mut self, request: &Request) -> Result<Reply, StoreError> {
        for attempt in 0..2 {
            if self.conn.as_ref().is_none_or(|c| c.client.is_closed()) {
                self.conn = None;
                self.conn = Some(self.connect().await?);
            }
            let Some(conn) = self.conn.as_mut() else {
                continue;
            };
            match execute(conn, request).await {
                Ok(reply) => return Ok(reply),
                Err(Failure::Store(StoreError::Corrupt { detail, .. })) => {
                    return Err(StoreError::Corrupt {
                        store: self.describe.clone(),
                        detail,
                    })
                }
                Err(Failure::Store(e)) => return Err(e),
                Err(Failure::Pg { error, retry }) => {
                    if let Some(conflict) = conflict_of(&error, request) {
                        return Err(conflict);
                    }
                    if !connection_lost(&error) {
                        return Err(self.pg_error(&error));
                    }
                    self.conn = None;
                    if !retry || attempt == 1 {
                        return Err(self.pg_error(&error));
                    }
                }
            }
        }
        Err(self.unavailable("the connection was lost twice".into()))
    }
}

/// The driver's message with its causes ("error connecting to server: Connection
/// refused"), each added only if the text so far does not already say it.
pub(super) fn describe_error(e: &tokio_postgres::Error) -> String {
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !detail.contains(&text) {
            detail = format!("{detail}: {text}");
        }
        source = cause.source();
    }
    detail
}

/// Whether `e` means the session is gone (closed socket, terminated backend).
fn connection_lost(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        let code = code.code();
        return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// A lost race reported by the server rather than by a row count: a unique violation,
/// or a deadlock / serialization failure between concurrent batches.
fn conflict_of(e: &tokio_postgres::Error, request: &Request) -> Option<StoreError> {
    let code = e.code()?;
    let lost = *code == SqlState::UNIQUE_VIOLATION
        || *code == SqlState::T_R_DEADLOCK_DETECTED
        || *code == SqlState::T_R_SERIALIZATION_FAILURE;
    if !lost {
        return None;
    }
    let key = match request {
        Request::Commit { ops, .. } => ops.iter().find_map(|op| match op {
            Op::Insert { key, .. } | Op::Replace { key, .. } => Some(key.clone()),
            Op::Event { run, seq, .. } => Some(format!("run:{run}#{seq}")),
            Op::Put { .. } => None,
        }),
        _ => None,
    };
    Some(StoreError::Conflict {
        key: key.unwrap_or_default(),
    })
}
