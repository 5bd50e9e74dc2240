//! A gate in a run: open a request, emit `approval-required`, wait for the decision or for
//! cancellation, emit `approval-decision`.

use super::{ApprovalRequest, Decision};
use crate::agent::Run;
use crate::event::StreamPart;
use crate::lifecycle::Granted;

/// How a gate ended.
pub(crate) enum Gate {
    /// The host decided (the `approval-decision` event was emitted); an approve carries the
    /// evidence of the recorded decision.
    Decided(Decision, Option<Granted>),
    /// The run was cancelled while waiting; the request expired.
    Cancelled,
}

impl Run {
    /// Opens a gate for `request`; `opened` are events emitted right after
    /// `approval-required` (the plan's `draft -> pending_approval`).
    pub(crate) async fn gate(&self, request: ApprovalRequest, opened: Vec<StreamPart>) -> Gate {
        let id = request.id.clone();
        let data = request.event_data();
        let decision = self.rt.approvals.open(request);
        self.out
            .emit(StreamPart::Data {
                kind: "approval-required",
                data,
            })
            .await;
        for part in opened {
            self.out.emit(part).await;
        }
        let waiting = self.out.wait_on_host();
        let decided = tokio::select! {
            biased;
            d = decision => d.ok(),
            _ = self.cancel.cancelled() => None,
        };
        drop(waiting);
        match decided {
            Some((decision, granted)) => {
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
                self.rt.approvals.expire(&id);
                Gate::Cancelled
            }
        }
    }
}
