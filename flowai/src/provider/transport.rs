//! The HTTP half every transport shares: POST a JSON body, retry per [`RetryPolicy`],
//! classify refusals, then feed the response body through the [`SseDecoder`] into the
//! provider's [`WireDecoder`]. Cancellation and the per-request timeout apply to every wait.

use super::config::{Common, Secret};
use super::error::{error_message, hint, redact};
use super::retry::{retry_after, retryable_status};
use super::sse::{SseDecoder, SseError, SseEvent};
use super::{ProviderError, ProviderEvent};
use futures::stream::{BoxStream, StreamExt};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A wire format's stream decoder: SSE events in, engine events out.
pub(crate) trait WireDecoder: Send + 'static {
    /// Decodes one SSE event.
    fn event(
        &mut self,
        event: SseEvent,
        out: &mut VecDeque<ProviderEvent>,
    ) -> Result<(), ProviderError>;
    /// Whether the call is complete; the rest of the body is not read.
    fn done(&self) -> bool;
    /// The body ended before [`WireDecoder::done`]: finish, or say what is missing.
    fn eof(&mut self, out: &mut VecDeque<ProviderEvent>) -> Result<(), ProviderError>;
}

/// One HTTP call of a transport.
pub(crate) struct HttpCall {
    pub(crate) client: reqwest::Client,
    pub(crate) common: Arc<Common>,
    pub(crate) url: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    /// Only to scrub it from server messages.
    pub(crate) key: Option<Secret>,
}

/// A reqwest client with the policy's timeout as its connect timeout.
pub(crate) fn http_client(common: &Common) -> Result<reqwest::Client, ProviderError> {
    let mut builder = reqwest::Client::builder();
    if let Some(t) = common.retry.request_timeout {
        builder = builder.connect_timeout(t);
    }
    builder.build().map_err(|e| ProviderError::Config {
        provider: common.provider.clone(),
        message: format!("cannot build the HTTP client: {e}"),
    })
}

/// A stream of one failure.
pub(crate) fn failed(e: ProviderError) -> BoxStream<'static, Result<ProviderEvent, ProviderError>> {
    futures::stream::once(async move { Err(e) }).boxed()
}

/// A header carrying the key, marked sensitive so it never shows in debug output.
pub(crate) fn secret_header(common: &Common, value: String) -> Result<HeaderValue, ProviderError> {
    let mut v = HeaderValue::from_str(&value).map_err(|_| ProviderError::Config {
        provider: common.provider.clone(),
        message: format!(
            "the API key from {} contains characters an HTTP header cannot carry",
            common.key_from()
        ),
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// Runs `call` and decodes its body with `decoder`.
pub(crate) fn stream<D: WireDecoder>(
    mut call: HttpCall,
    decoder: D,
    cancel: CancellationToken,
) -> BoxStream<'static, Result<ProviderEvent, ProviderError>> {
    call.headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    call.headers
        .insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
    let driver = Driver {
        call,
        decoder,
        cancel,
        phase: Phase::Connect,
        sse: SseDecoder::new(),
        sse_out: Vec::new(),
        pending: VecDeque::new(),
        retries: 0,
        started: Instant::now(),
    };
    futures::stream::unfold(driver, |mut d| async move {
        d.next().await.map(|item| (item, d))
    })
    .boxed()
}

enum Phase {
    Connect,
    Wait(Duration),
    Body(reqwest::Response),
    Failed(ProviderError),
    Done,
}

enum Attempt {
    Ok(reqwest::Response),
    Retry {
        reason: String,
        timeout: bool,
        after: Option<Duration>,
    },
    Fail(ProviderError),
}

struct Driver<D> {
    call: HttpCall,
    decoder: D,
    cancel: CancellationToken,
    phase: Phase,
    sse: SseDecoder,
    sse_out: Vec<SseEvent>,
    pending: VecDeque<ProviderEvent>,
    retries: u32,
    started: Instant,
}

/// `f` bounded by `limit`; `None` when it ran out.
async fn within<F: Future>(limit: Option<Duration>, f: F) -> Option<F::Output> {
    match limit {
        Some(d) => tokio::time::timeout(d, f).await.ok(),
        None => Some(f.await),
    }
}

impl<D: WireDecoder> Driver<D> {
    fn provider(&self) -> String {
        self.call.common.provider.clone()
    }

    fn timeout(&self) -> Option<Duration> {
        self.call.common.retry.request_timeout
    }

    async fn next(&mut self) -> Option<Result<ProviderEvent, ProviderError>> {
        loop {
            if let Some(ev) = self.pending.pop_front() {
                return Some(Ok(ev));
            }
            let step = match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Done => return None,
                Phase::Failed(e) => return Some(Err(e)),
                Phase::Connect => self.connect().await,
                Phase::Wait(delay) => {
                    tokio::select! {
                        biased;
                        _ = self.cancel.cancelled() => Err(ProviderError::Cancelled),
                        _ = tokio::time::sleep(delay) => {
                            self.phase = Phase::Connect;
                            Ok(())
                        }
                    }
                }
                Phase::Body(response) => self.read(response).await,
            };
            if let Err(e) = step {
                self.phase = Phase::Failed(e);
            }
        }
    }

    async fn connect(&mut self) -> Result<(), ProviderError> {
        let (reason, timeout, after) = match self.attempt().await {
            Attempt::Ok(response) => {
                self.phase = Phase::Body(response);
                return Ok(());
            }
            Attempt::Fail(e) => return Err(e),
            Attempt::Retry {
                reason,
                timeout,
                after,
            } => (reason, timeout, after),
        };
        let policy = &self.call.common.retry;
        let retry = self.retries + 1;
        let delay = policy.delay(retry, after);
        if !policy.allows(retry, self.started.elapsed(), delay) {
            return Err(ProviderError::RetriesExhausted {
                provider: self.provider(),
                attempts: retry,
                last: reason,
                timed_out: timeout,
            });
        }
        self.retries = retry;
        self.pending.push_back(ProviderEvent::Retry {
            attempt: retry,
            delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            reason,
            timeout,
        });
        self.phase = Phase::Wait(delay);
        Ok(())
    }

    async fn attempt(&mut self) -> Attempt {
        let request = self
            .call
            .client
            .post(&self.call.url)
            .headers(self.call.headers.clone())
            .body(self.call.body.clone());
        let limit = self.timeout();
        let sent = tokio::select! {
            biased;
            _ = self.cancel.cancelled() => return Attempt::Fail(ProviderError::Cancelled),
            r = within(limit, request.send()) => r,
        };
        let response = match sent {
            None => {
                return Attempt::Retry {
                    reason: format!(
                        "no response within {} ms",
                        limit.unwrap_or_default().as_millis()
                    ),
                    timeout: true,
                    after: None,
                }
            }
            Some(Err(e)) if e.is_builder() => {
                return Attempt::Fail(ProviderError::Config {
                    provider: self.provider(),
                    message: chain(&e),
                })
            }
            Some(Err(e)) => {
                return Attempt::Retry {
                    reason: format!("connection failed: {}", chain(&e)),
                    timeout: false,
                    after: None,
                }
            }
            Some(Ok(r)) => r,
        };
        let status = response.status().as_u16();
        if response.status().is_success() {
            let key = self.call.key.as_ref().map(|k| k.expose().to_string());
            return check_content_type(self.provider(), key, response).await;
        }
        let after = retry_after(response.headers());
        let body = tokio::select! {
            biased;
            _ = self.cancel.cancelled() => return Attempt::Fail(ProviderError::Cancelled),
            b = within(limit, response.text()) => b.and_then(Result::ok).unwrap_or_default(),
        };
        let message = redact(
            &error_message(&body),
            self.call.key.as_ref().map(Secret::expose),
        );
        if retryable_status(status) {
            return Attempt::Retry {
                reason: format!("HTTP {status}: {message}"),
                timeout: false,
                after,
            };
        }
        let common = &self.call.common;
        Attempt::Fail(if status == 401 {
            ProviderError::Auth {
                provider: self.provider(),
                key_from: common.key_from(),
                status,
            }
        } else {
            ProviderError::Request {
                provider: self.provider(),
                status,
                message,
                hint: hint(status),
            }
        })
    }

    async fn read(&mut self, mut response: reqwest::Response) -> Result<(), ProviderError> {
        let limit = self.timeout();
        let chunk = tokio::select! {
            biased;
            _ = self.cancel.cancelled() => return Err(ProviderError::Cancelled),
            c = within(limit, response.chunk()) => c,
        };
        let provider = self.provider();
        match chunk {
            None => Err(ProviderError::Timeout {
                provider,
                after_ms: u64::try_from(limit.unwrap_or_default().as_millis()).unwrap_or(0),
            }),
            Some(Err(source)) => Err(ProviderError::Transport {
                provider,
                context: "connection lost mid-stream",
                source,
            }),
            Some(Ok(None)) => {
                self.sse.finish().map_err(|e| sse_error(provider, e))?;
                self.decoder.eof(&mut self.pending)
            }
            Some(Ok(Some(bytes))) => {
                self.sse
                    .decode(&bytes, &mut self.sse_out)
                    .map_err(|e| sse_error(provider, e))?;
                for event in self.sse_out.drain(..) {
                    self.decoder.event(event, &mut self.pending)?;
                    if self.decoder.done() {
                        return Ok(());
                    }
                }
                self.phase = Phase::Body(response);
                Ok(())
            }
        }
    }
}

/// A server that ignored `stream: true` and answered with one JSON body.
async fn check_content_type(
    provider: String,
    key: Option<String>,
    response: reqwest::Response,
) -> Attempt {
    let json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !json {
        return Attempt::Ok(response);
    }
    let raw = response.text().await.unwrap_or_default();
    Attempt::Fail(ProviderError::Decode {
        provider,
        message: "expected an event stream (text/event-stream) but got a JSON body; \
                  the server must support `stream: true`"
            .into(),
        raw: redact(&raw, key.as_deref()),
    })
}

fn sse_error(provider: String, e: SseError) -> ProviderError {
    match e {
        SseError::Incomplete { .. } => ProviderError::Truncated {
            provider,
            expected: "the end of the current event",
        },
        SseError::Utf8 { line } => ProviderError::Decode {
            provider,
            message: "a stream line is not UTF-8".into(),
            raw: line,
        },
        other => ProviderError::Decode {
            provider,
            message: other.to_string(),
            raw: String::new(),
        },
    }
}

/// An error and its sources, `: `-joined (reqwest's own text omits the cause).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
