//! An incremental decoder for `text/event-stream` (the WHATWG server-sent events format):
//! bytes go in as they arrive from the network, complete events come out.
//!
//! It handles LF, CRLF and lone-CR line endings (also when a CRLF is split between two
//! chunks), multi-line `data:` fields, comments, a leading byte-order mark, and events split
//! at any byte. An event still open when the stream ends is reported by
//! [`SseDecoder::finish`] instead of being dropped silently, so a stream cut mid-event is
//! an error the caller can name.
//!
//! # Examples
//!
//! ```
//! use flowai::provider::sse::SseDecoder;
//!
//! let mut decoder = SseDecoder::new();
//! let mut events = Vec::new();
//! decoder.decode(b"event: ping\r\ndata: {\"a\":", &mut events).unwrap();
//! assert!(events.is_empty());
//! decoder.decode(b"1}\r\n\r\n: a comment\n", &mut events).unwrap();
//! assert_eq!(events[0].event.as_deref(), Some("ping"));
//! assert_eq!(events[0].data, r#"{"a":1}"#);
//! assert!(decoder.finish().is_ok());
//! ```

/// One dispatched server-sent event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, if the event had one.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The `id:` field, if the event had one.
    pub id: Option<String>,
    /// The `retry:` field in milliseconds, if the event had one.
    pub retry: Option<u64>,
}

/// Why the byte stream is not valid server-sent events.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SseError {
    /// A line is not UTF-8; `line` holds it decoded lossily.
    #[error("line is not valid UTF-8: {line}")]
    Utf8 {
        /// The offending line, decoded lossily.
        line: String,
    },
    /// A line grew past [`MAX_LINE`] bytes without a line break.
    #[error("line longer than {MAX_LINE} bytes")]
    LineTooLong,
    /// The stream ended inside an event; `partial` is what had arrived of it.
    #[error("stream ended in the middle of an event")]
    Incomplete {
        /// The unfinished event's text as received.
        partial: String,
    },
}

/// The longest line the decoder buffers (16 MiB): a guard against a peer that never sends
/// a line break.
pub const MAX_LINE: usize = 16 << 20;

/// The decoder state: the unfinished line and the fields of the event being built.
#[derive(Debug, Default)]
pub struct SseDecoder {
    line: Vec<u8>,
    /// The previous chunk ended on `\r`: a `\n` starting the next one belongs to it.
    after_cr: bool,
    started: bool,
    pending: SseEvent,
    has_data: bool,
    /// Raw text of the event being built, kept for [`SseError::Incomplete`].
    partial: String,
}

impl SseDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds `bytes` and appends every event they complete to `out`.
    ///
    /// # Errors
    /// [`SseError::Utf8`] or [`SseError::LineTooLong`]; the decoder should not be used
    /// after an error.
    pub fn decode(&mut self, mut bytes: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = bytes.strip_prefix(b"\n") {
                bytes = rest;
            }
        }
        while let Some(end) = bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            let (head, tail) = bytes.split_at(end);
            if self.line.is_empty() {
                self.line_done(head, out)?;
            } else {
                self.push_partial(head)?;
                let line = std::mem::take(&mut self.line);
                self.line_done(&line, out)?;
            }
            bytes = if tail[0] == b'\r' {
                match tail.get(1) {
                    Some(b'\n') => &tail[2..],
                    Some(_) => &tail[1..],
                    None => {
                        self.after_cr = true;
                        &tail[1..]
                    }
                }
            } else {
                &tail[1..]
            };
        }
        self.push_partial(bytes)
    }

    /// Ends the stream.
    ///
    /// # Errors
    /// [`SseError::Incomplete`] when an event was still open: a line without its line
    /// break, or fields without the blank line that dispatches them.
    pub fn finish(&mut self) -> Result<(), SseError> {
        if self.line.is_empty() && self.partial.is_empty() {
            return Ok(());
        }
        let mut partial = std::mem::take(&mut self.partial);
        partial.push_str(&String::from_utf8_lossy(&self.line));
        self.line.clear();
        Err(SseError::Incomplete { partial })
    }

    fn push_partial(&mut self, bytes: &[u8]) -> Result<(), SseError> {
        if self.line.len() + bytes.len() > MAX_LINE {
            return Err(SseError::LineTooLong);
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    fn line_done(&mut self, raw: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        let mut line = std::str::from_utf8(raw).map_err(|_| SseError::Utf8 {
            line: String::from_utf8_lossy(raw).into_owned(),
        })?;
        if !self.started {
            self.started = true;
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        if line.starts_with(':') {
            return Ok(());
        }
        self.partial.push_str(line);
        self.partial.push('\n');
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "data" => {
                self.pending.data.push_str(value);
                self.pending.data.push('\n');
                self.has_data = true;
            }
            "event" => self.pending.event = Some(value.to_string()),
            "id" if !value.contains('\0') => self.pending.id = Some(value.to_string()),
            "retry" => {
                if let Ok(ms) = value.parse() {
                    self.pending.retry = Some(ms);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        self.partial.clear();
        let mut event = std::mem::take(&mut self.pending);
        if std::mem::take(&mut self.has_data) {
            event.data.pop();
            out.push(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Result<Vec<SseEvent>, SseError> {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        for c in chunks {
            d.decode(c, &mut out)?;
        }
        d.finish()?;
        Ok(out)
    }

    fn data(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn line_endings_and_multiline_data() {
        let lf = all(&[b"data: a\ndata: b\n\nevent: x\ndata:c\n\n"]).unwrap();
        assert_eq!(data(&lf), ["a\nb", "c"]);
        assert_eq!(lf[1].event.as_deref(), Some("x"));
        let crlf = all(&[b"data: a\r\ndata: b\r\n\r\n"]).unwrap();
        assert_eq!(data(&crlf), ["a\nb"]);
        let cr = all(&[b"data: a\rdata: b\r\r"]).unwrap();
        assert_eq!(data(&cr), ["a\nb"]);
    }

    #[test]
    fn every_split_point_gives_the_same_events() {
        let stream = b"\xef\xbb\xbf: hi\r\nevent: e\r\nid: 7\r\nretry: 10\r\ndata: {\"x\": \"\xc3\xa9\"}\r\n\r\ndata\n\n";
        let whole = all(&[stream]).unwrap();
        assert_eq!(whole.len(), 2);
        assert_eq!(whole[0].id.as_deref(), Some("7"));
        assert_eq!(whole[0].retry, Some(10));
        assert_eq!(whole[1].data, "");
        for i in 0..stream.len() {
            for j in i..stream.len() {
                let parts: [&[u8]; 3] = [&stream[..i], &stream[i..j], &stream[j..]];
                assert_eq!(all(&parts).unwrap(), whole, "split at {i}, {j}");
            }
        }
    }

    #[test]
    fn comments_and_fieldless_blocks_dispatch_nothing() {
        assert!(all(&[b": keep-alive\n\nevent: only\n\n"])
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_stream_cut_mid_event_is_incomplete() {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        d.decode(b"data: {\"a\":1}\n\ndata: {\"b\"", &mut out)
            .unwrap();
        assert_eq!(out.len(), 1);
        match d.finish() {
            Err(SseError::Incomplete { partial }) => assert_eq!(partial, "data: {\"b\""),
            other => panic!("{other:?}"),
        }
        let mut d = SseDecoder::new();
        d.decode(b"event: x\ndata: 1\n", &mut out).unwrap();
        assert!(matches!(d.finish(), Err(SseError::Incomplete { .. })));
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        assert!(matches!(
            all(&[b"data: \xff\n\n"]),
            Err(SseError::Utf8 { .. })
        ));
    }
}
