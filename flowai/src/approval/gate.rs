//! A gate in a run: record the request, emit `approval-required`, wait for the decision or
//! for cancellation, emit `approval-decision`. A resumed run meets the same request again
//! (its id is a recorded step) and continues with the decision made meanwhile. On a
//! durable store the waiting gate also gets a decision recorded by another process (see
//! [`ApprovalBook`](super::ApprovalBook)).

use super::book::Standing;
use super::{ApprovalRequest, Decision};
use crate::agent::Run;
use crate::event::StreamPart;
use crate::lifecycle::Granted;
use crate::trace::RunStatus;
use futures::StreamExt;
use std::future::Future;

/// How a gate ended.
pub(crate) enum Gate {
    /// The host decided (the `approval-decision` event was emitted); an approve carries the
    /// evidence of the recorded decision.
    Decided(Decision, Option<Granted>),
    /// The run was cancelled while waiting (the request expired), or it could not record
    /// the request durably and stopped.
    Cancelled,
}

impl Run {
    /// Opens a gate for `request`; `opened` are events emitted right after
    /// `approval-required` (the plan's `draft -> pending_approval`).
    ///
    /// The request and the events are boxed and dropped once recorded and shown: a run
    /// waiting at the gate holds neither (the future of an `async fn` would keep both, twice).
    pub(crate) fn gate(
        &self,
        request: ApprovalRequest,
        opened: Vec<StreamPart>,
    ) -> impl Future<Output = Gate> + Send + '_ {
        let mut opening = Box::new((request, opened));
        async move {
            let id: String = self.memo(async { uuid::Uuid::new_v4().to_string() }).await;
            let (request, opened) = &mut *opening;
            request.id = id.clone();
            request.run_id = self.log.id.clone();
            let book = &self.rt.approvals;
            // Registered before the request is visible, so no decision can slip past it.
            let waiter = book.wait(&id);
            let standing = match book.standing(&id) {
                Ok(s) => s,
                Err(e) => return self.stop(&id, e.to_string()).await,
            };
            let data = request.event_data();
            if matches!(standing, Standing::Unknown) {
                // The record goes into the same commit as the event that shows its id.
                self.log.push(book.open_op(request));
                self.log.push(self.info.with_status(RunStatus::Paused).op());
            }
            let opened = std::mem::take(opened);
            drop(opening);
            self.out
                .emit(StreamPart::Data {
                    kind: "approval-required",
                    data,
                })
                .await;
            futures::stream::iter(opened)
                .for_each(|part| self.out.emit(part))
                .await;
            if let Err(e) = self.log.commit(Vec::new()) {
                return self.stop(&id, e.to_string()).await;
            }
            let decided = match standing {
                Standing::Decided(decision, granted) => {
                    book.unwait(&id);
                    Some((decision, granted))
                }
                Standing::Expired => None,
                Standing::Unknown | Standing::Pending => {
                    let waiting = self.out.wait_on_host();
                    let decided = tokio::select! {
                        biased;
                        d = waiter => d.ok(),
                        _ = self.cancel.cancelled() => None,
                    };
                    drop(waiting);
                    decided
                }
            };
            match decided {
                Some((decision, granted)) => {
                    self.log
                        .push(self.info.with_status(RunStatus::Running).op());
                    let data = decision.event_data(&id);
                    self.out
                        .emit(StreamPart::Data {
                            kind: "approval-decision",
                            data,
                        })
                        .await;
                    Gate::Decided(decision, granted)
                }
                None => {
                    // A run that stopped because its state is no longer its own (another process
                    // resumed it, or the store failed) leaves the request for whoever continues.
                    if self.log.halted().is_none() {
                        book.expire(&id);
                    }
                    Gate::Cancelled
                }
            }
        }
    }

    /// The gate could not use the store: the run stops here, resumable later.
    async fn stop(&self, id: &str, message: String) -> Gate {
        self.rt.approvals.unwait(id);
        self.log
            .halt(crate::store::StoreError::Config(message.clone()));
        self.cancel.cancel();
        Gate::Cancelled
    }
}
