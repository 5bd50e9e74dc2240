//! Opening a [`Store`] from a descriptor: `RuntimeSpec.storage_factories` entries and
//! `data_environment.kv` wire descriptors (studio-mcp-evals.md §6 "Opening the stores"),
//! and the URL redaction every store message goes through.

use super::postgres::PostgresStore;
use super::sqlite::SqliteStore;
use super::{MemoryStore, Store, StoreError};
use serde_json::Value;
use std::sync::Arc;

const SUPPORTED: &str = "memory, postgres, sqlite";
const SECRET_PARAMS: [&str; 5] = ["password", "apikey", "api_key", "token", "access_token"];

/// `url` with its secrets replaced by `***`: the userinfo password (a userinfo without
/// `:` entirely) and the values of the query parameters `password`, `apikey`, `api_key`,
/// `token` and `access_token`. A `key=value` connection string has the values of those
/// keys replaced.
///
/// # Examples
///
/// ```
/// use flowai::store::open::redact_url;
///
/// assert_eq!(
///     redact_url("postgresql://user:secret@/db?password=abc"),
///     "postgresql://user:***@/db?password=***"
/// );
/// assert_eq!(redact_url("postgres://tok@db:5432/app"), "postgres://***@db:5432/app");
/// assert_eq!(redact_url("sqlite:///tmp/kv.db"), "sqlite:///tmp/kv.db");
/// ```
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        if url.contains('=') && !url.contains('?') {
            return redact_key_values(url);
        }
        return redact_query(url);
    };
    let auth_start = scheme_end + 3;
    let rest = &url[auth_start..];
    let auth_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..auth_len];
    let mut out = url[..auth_start].to_string();
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            match userinfo.find(':') {
                Some(colon) => {
                    out.push_str(&userinfo[..colon]);
                    out.push_str(":***");
                }
                None => out.push_str("***"),
            }
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    out.push_str(&redact_query(&rest[auth_len..]));
    out
}

/// Redacts the secret parameters of the `?query` part of `tail` (path, query, fragment).
fn redact_query(tail: &str) -> String {
    let Some(q) = tail.find('?') else {
        return tail.to_string();
    };
    let (query, fragment) = match tail[q + 1..].find('#') {
        Some(h) => (&tail[q + 1..q + 1 + h], &tail[q + 1 + h..]),
        None => (&tail[q + 1..], ""),
    };
    let params: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_param(name) => format!("{name}=***"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{}?{}{}", &tail[..q], params.join("&"), fragment)
}

/// Redacts `password=...` style entries of a libpq key/value connection string.
fn redact_key_values(conninfo: &str) -> String {
    let mut out = String::with_capacity(conninfo.len());
    let mut rest = conninfo;
    while let Some(eq) = rest.find('=') {
        let name_start = rest[..eq].rfind(char::is_whitespace).map_or(0, |i| i + 1);
        out.push_str(&rest[..=eq]);
        let name = rest[name_start..eq].trim();
        let value = &rest[eq + 1..];
        let len = value_len(value);
        if is_secret_param(name) {
            out.push_str("***");
        } else {
            out.push_str(&value[..len]);
        }
        rest = &value[len..];
    }
    out.push_str(rest);
    out
}

/// The length of a key/value connection string value (possibly single-quoted).
fn value_len(value: &str) -> usize {
    if let Some(quoted) = value.strip_prefix('\'') {
        let mut escaped = false;
        for (i, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '\'' if !escaped => return i + 2,
                _ => escaped = false,
            }
        }
        value.len()
    } else {
        value.find(char::is_whitespace).unwrap_or(value.len())
    }
}

fn is_secret_param(name: &str) -> bool {
    SECRET_PARAMS
        .iter()
        .any(|p| p.eq_ignore_ascii_case(name.trim()))
}

/// The secret parts of `url` (raw and percent-decoded) that no message may contain.
pub(crate) fn secrets(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    let redacted = redact_url(url);
    // Every span the redaction replaced is a secret: diff the two strings around `***`.
    let mut rest_url = url;
    let mut pieces = redacted.split("***").peekable();
    if let Some(first) = pieces.next() {
        rest_url = rest_url.get(first.len()..).unwrap_or("");
    }
    while let Some(piece) = pieces.next() {
        let end = if pieces.peek().is_none() && piece.is_empty() {
            rest_url.len()
        } else if piece.is_empty() {
            0
        } else {
            rest_url.find(piece).unwrap_or(rest_url.len())
        };
        found.push(rest_url[..end].to_string());
        rest_url = rest_url.get(end + piece.len()..).unwrap_or("");
    }
    let decoded: Vec<String> = found.iter().map(|s| percent_decode(s)).collect();
    found.extend(decoded);
    found.retain(|s| !s.is_empty());
    found.sort();
    found.dedup();
    found
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `detail` unless it contains one of `secrets`, in which case a neutral replacement.
pub(crate) fn scrub(detail: String, secrets: &[String]) -> String {
    if secrets.iter().any(|s| detail.contains(s.as_str())) {
        "the driver's message was withheld because it may contain credentials".into()
    } else {
        detail
    }
}

/// Whether `name` is a valid table name: non-empty ASCII letters, digits and `_`.
pub(crate) fn valid_identifier(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn str_field<'a>(obj: &'a Value, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| obj.get(*n).and_then(Value::as_str))
}

fn read_env(var: &str, field: &str) -> Result<String, StoreError> {
    std::env::var(var).map_err(|_| {
        StoreError::Config(format!("environment variable {var} is not set for {field}"))
    })
}

/// Opens the store of one `RuntimeSpec.storage_factories` entry; `scope` is the entry's
/// name (e.g. `"kv"`), used in messages.
///
/// Forms: `{"kind": "memory"}`, `{"kind": "sqlite", "config": {"path": "<file>"}}`,
/// `{"kind": "postgres", "config": {"url": "postgres://…", "table": "flowai_kv"}}` or
/// `{"kind": "postgres", "config": {"urlEnv": "VAR"}}` (read now).
///
/// # Errors
/// [`StoreError::Config`] for a malformed entry (unknown kind, missing field, unset
/// environment variable); the backend's error if the store cannot be opened.
///
/// # Examples
///
/// ```
/// use flowai::store::{open::open_factory, Op, Store, StoreError};
/// use serde_json::json;
///
/// let store = open_factory(&json!({"kind": "memory"}), "kv").unwrap();
/// store.commit("acme", vec![Op::put("k", json!(1))]).unwrap();
/// assert!(!store.is_durable());
///
/// let path = std::env::temp_dir().join(format!("flowai-factory-doc-{}.db", std::process::id()));
/// let spec = json!({"kind": "sqlite", "config": {"path": path}});
/// assert!(open_factory(&spec, "kv").unwrap().is_durable());
///
/// let err = open_factory(&json!({"kind": "redis"}), "kv").err().unwrap();
/// assert!(matches!(err, StoreError::Config(_)));
/// assert!(err.to_string().contains("memory, postgres, sqlite"));
/// # for suffix in ["", "-wal", "-shm"] {
/// #     let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
/// # }
/// ```
pub fn open_factory(spec: &Value, scope: &str) -> Result<Arc<dyn Store>, StoreError> {
    let field = |name: &str| format!("storage_factories.{scope}.{name}");
    let config = spec.get("config").unwrap_or(&Value::Null);
    match spec.get("kind").and_then(Value::as_str) {
        Some("memory") => Ok(Arc::new(MemoryStore::default())),
        Some("sqlite") => {
            let path = str_field(config, &["path"]).ok_or_else(|| {
                StoreError::Config(format!(
                    "{} is required for a sqlite store (the database file)",
                    field("config.path")
                ))
            })?;
            Ok(Arc::new(SqliteStore::open(path)?))
        }
        Some("postgres") => {
            let table = str_field(config, &["table"]);
            if table.is_some_and(|t| !valid_identifier(t)) {
                return Err(StoreError::Config(format!(
                    "{} must be non-empty and contain only [a-zA-Z0-9_]",
                    field("config.table")
                )));
            }
            let url = match (
                str_field(config, &["url"]),
                str_field(config, &["urlEnv", "url_env"]),
            ) {
                (Some(url), _) => url.to_string(),
                (None, Some(var)) => read_env(var, &field("config.urlEnv"))?,
                (None, None) => {
                    return Err(StoreError::Config(format!(
                        "{} or {} is required for a postgres store",
                        field("config.url"),
                        field("config.urlEnv")
                    )))
                }
            };
            Ok(Arc::new(PostgresStore::connect(&url, table)?))
        }
        Some(other) => Err(StoreError::Config(format!(
            "{} '{other}' is not supported; supported kinds: {SUPPORTED}",
            field("kind")
        ))),
        None => Err(StoreError::Config(format!(
            "{} is required; supported kinds: {SUPPORTED}",
            field("kind")
        ))),
    }
}

/// Opens the store of a `data_environment.kv` wire descriptor (camelCase keys):
/// `{"kind": "memory"}`, `{"kind": "sqlite", "url": "sqlite:///tmp/x/kv.db",
/// "ensureSchema": true}` (everything after `sqlite:` is the path; a value without the
/// prefix is a path) or `{"kind": "postgres", "url" | "urlEnv": …, "table": …}`.
///
/// # Errors
/// [`StoreError::Config`] with the texts of studio-mcp-evals.md §6 (the caller prefixes
/// `invalid data_environment: `), or the SQLite backend's error.
pub fn open_kv_descriptor(desc: &Value) -> Result<Arc<dyn Store>, StoreError> {
    match desc.get("kind").and_then(Value::as_str) {
        Some("memory") => Ok(Arc::new(MemoryStore::default())),
        Some("sqlite") => {
            let url = str_field(desc, &["url", "path"]).ok_or_else(|| {
                StoreError::Config("data_environment.kv.url is required for a sqlite store".into())
            })?;
            let path = url.strip_prefix("sqlite:").unwrap_or(url);
            // `sqlite:///tmp/x` names `/tmp/x`: extra leading slashes name the root, as
            // the filesystem reads them; collapse them so messages show the plain path.
            let path = match path.trim_start_matches('/') {
                rest if rest.len() + 1 < path.len() => &path[path.len() - rest.len() - 1..],
                _ => path,
            };
            if path.is_empty() {
                return Err(StoreError::Config(
                    "data_environment.kv.url must name a file after 'sqlite:'".into(),
                ));
            }
            // The tables are always created when absent, so `ensureSchema` needs no action.
            Ok(Arc::new(SqliteStore::open(path)?))
        }
        Some("postgres") => {
            let table = str_field(desc, &["table"]);
            if table.is_some_and(|t| !valid_identifier(t))
                || desc
                    .get("table")
                    .is_some_and(|t| !t.is_string() && !t.is_null())
            {
                return Err(StoreError::Config(
                    "data_environment.kv.table must be non-empty and contain only [a-zA-Z0-9_]"
                        .into(),
                ));
            }
            let url = match (str_field(desc, &["url"]), str_field(desc, &["urlEnv", "url_env"])) {
                (Some(url), _) => url.to_string(),
                (None, Some(var)) => read_env(var, "data_environment.kv.url_env")?,
                (None, None) => {
                    return Err(StoreError::Config(
                        "data_environment.kv.url or data_environment.kv.url_env is required for a postgres store"
                            .into(),
                    ))
                }
            };
            PostgresStore::connect(&url, table)
                .map(|s| Arc::new(s) as Arc<dyn Store>)
                .map_err(|e| {
                    let detail = match e {
                        StoreError::Unavailable { detail, .. } => detail,
                        other => other.to_string(),
                    };
                    StoreError::Config(format!(
                        "failed to open kv postgres store '{}': {}",
                        redact_url(&url),
                        scrub(detail, &secrets(&url))
                    ))
                })
        }
        Some(other) => Err(StoreError::Config(format!(
            "data_environment.kv.kind '{other}' is not supported; supported kinds: {SUPPORTED}"
        ))),
        None => Err(StoreError::Config(format!(
            "data_environment.kv.kind is required; supported kinds: {SUPPORTED}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_cases() {
        let cases = [
            ("postgresql://user:secret@/db?password=abc", "postgresql://user:***@/db?password=***"),
            ("postgres://u:pw@127.0.0.1:1/db", "postgres://u:***@127.0.0.1:1/db"),
            ("postgres://token@host/db", "postgres://***@host/db"),
            ("postgres://host:5432/db", "postgres://host:5432/db"),
            ("postgres://u:p@ss@h/db", "postgres://u:***@h/db"),
            (
                "postgres://h/db?sslmode=require&apikey=k1&API_KEY=k2&token=t&access_token=a#frag",
                "postgres://h/db?sslmode=require&apikey=***&API_KEY=***&token=***&access_token=***#frag",
            ),
            ("postgres://u:@h/db", "postgres://u:***@h/db"),
            ("host=h user=u password=secret dbname=d", "host=h user=u password=*** dbname=d"),
            ("host=h password='a b\\' c' dbname=d", "host=h password=*** dbname=d"),
            ("sqlite:kv.db", "sqlite:kv.db"),
            ("", ""),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }

    #[test]
    fn secrets_are_what_redaction_hides() {
        let s = secrets("postgresql://user:s%40cret@/db?password=abc&x=1");
        assert!(s.contains(&"s%40cret".to_string()));
        assert!(s.contains(&"s@cret".to_string()));
        assert!(s.contains(&"abc".to_string()));
        assert!(!s.iter().any(|x| x == "user" || x == "1"));
        assert_eq!(secrets("postgres://h/db"), Vec::<String>::new());
        assert_eq!(secrets("host=h password=pw"), vec!["pw".to_string()]);
        assert!(scrub("bad pw".into(), &["pw".into()]).contains("withheld"));
        assert_eq!(scrub("fine".into(), &["pw".into()]), "fine");
    }

    #[test]
    fn identifiers() {
        assert!(valid_identifier("flowai_kv2"));
        for bad in ["", "a-b", "a b", "t;drop", "é"] {
            assert!(!valid_identifier(bad), "{bad}");
        }
    }
}
