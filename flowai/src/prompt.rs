//! Layered system prompts (python-api §11): fixed sections in a fixed order, rendered to
//! exactly the text Python's `layered_prompt` produces, with `cache_key` = SHA-256 of it.
//!
//! # Examples
//!
//! ```
//! use flowai::prompt::{LayeredPrompt, ToolRow};
//! use serde_json::json;
//!
//! let prompt = LayeredPrompt::builder("You are a planner.")
//!     .tools([ToolRow::new("search", "Search | find.", "")])
//!     .domain_knowledge(json!({"region": "EU"}))
//!     .safety(vec!["No guessing."])
//!     .build();
//! assert_eq!(
//!     prompt.text,
//!     "# Identity\nYou are a planner.\n\n# Tools\n| Tool | Description | Approval |\n\
//!      | --- | --- | --- |\n| search | Search \\| find. |  |\n\n# Domain Knowledge\n\
//!      ```json\n{\n  \"region\": \"EU\"\n}\n```\n\n# Safety\n- No guessing."
//! );
//! assert_eq!(prompt.cache_key.len(), 64);
//! ```

mod pyjson;
mod tools;

pub use tools::ToolRow;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// A rendered prompt and the lowercase hex SHA-256 of its UTF-8 text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayeredPrompt {
    /// The prompt text.
    pub text: String,
    /// SHA-256 hex of `text`.
    pub cache_key: String,
}

impl std::fmt::Display for LayeredPrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A text section: stripped text, or bullet lines `- <item>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextSection {
    /// Rendered stripped.
    Text(String),
    /// Rendered as `- <item>` lines.
    Bullets(Vec<String>),
}

impl From<&str> for TextSection {
    fn from(text: &str) -> Self {
        Self::Text(text.to_string())
    }
}

impl From<String> for TextSection {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl<S: Into<String>> From<Vec<S>> for TextSection {
    fn from(items: Vec<S>) -> Self {
        Self::Bullets(items.into_iter().map(Into::into).collect())
    }
}

impl TextSection {
    fn render(&self) -> String {
        match self {
            Self::Text(t) => pyjson::strip(t).to_string(),
            Self::Bullets(items) => items
                .iter()
                .map(|i| format!("- {i}"))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// A structured section: a JSON string renders as stripped text, `null` is omitted, any
/// other value as a fenced JSON block (sorted keys, indent 2, non-ASCII kept).
fn render_structured(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => pyjson::strip(s).to_string(),
        other => format!("```json\n{}\n```", pyjson::dumps(other)),
    }
}

/// Builds a [`LayeredPrompt`]; every section but `identity` is optional.
#[derive(Clone, Debug, Default)]
pub struct LayeredPromptBuilder {
    identity: Option<TextSection>,
    communication: Option<TextSection>,
    operational_rules: Option<TextSection>,
    tools: Vec<ToolRow>,
    domain_knowledge: Value,
    safety: Option<TextSection>,
    output_format: Value,
    examples: Value,
}

impl LayeredPromptBuilder {
    /// Sets `# Communication`.
    pub fn communication(mut self, section: impl Into<TextSection>) -> Self {
        self.communication = Some(section.into());
        self
    }

    /// Sets `# Operational Rules`.
    pub fn operational_rules(mut self, section: impl Into<TextSection>) -> Self {
        self.operational_rules = Some(section.into());
        self
    }

    /// Adds rows to the `# Tools` table.
    pub fn tools(mut self, rows: impl IntoIterator<Item = ToolRow>) -> Self {
        self.tools.extend(rows);
        self
    }

    /// Sets `# Domain Knowledge` (a JSON string is text; anything else a JSON block).
    pub fn domain_knowledge(mut self, value: impl Into<Value>) -> Self {
        self.domain_knowledge = value.into();
        self
    }

    /// Sets `# Safety`.
    pub fn safety(mut self, section: impl Into<TextSection>) -> Self {
        self.safety = Some(section.into());
        self
    }

    /// Sets `# Output Format` (as [`LayeredPromptBuilder::domain_knowledge`]).
    pub fn output_format(mut self, value: impl Into<Value>) -> Self {
        self.output_format = value.into();
        self
    }

    /// Sets `# Examples` (as [`LayeredPromptBuilder::domain_knowledge`]).
    pub fn examples(mut self, value: impl Into<Value>) -> Self {
        self.examples = value.into();
        self
    }

    /// Renders the sections in the fixed order, omitting empty ones.
    pub fn build(self) -> LayeredPrompt {
        let text =
            |s: &Option<TextSection>| s.as_ref().map(TextSection::render).unwrap_or_default();
        let bodies = [
            ("Identity", text(&self.identity)),
            ("Communication", text(&self.communication)),
            ("Operational Rules", text(&self.operational_rules)),
            ("Tools", tools::render_table(&tools::dedupe(self.tools))),
            (
                "Domain Knowledge",
                render_structured(&self.domain_knowledge),
            ),
            ("Safety", text(&self.safety)),
            ("Output Format", render_structured(&self.output_format)),
            ("Examples", render_structured(&self.examples)),
        ];
        let sections: Vec<String> = bodies
            .iter()
            .filter(|(_, body)| !body.is_empty())
            .map(|(heading, body)| format!("# {heading}\n{body}"))
            .collect();
        LayeredPrompt::from_text(sections.join("\n\n"))
    }
}

impl LayeredPrompt {
    /// A builder starting from the `# Identity` section.
    pub fn builder(identity: impl Into<TextSection>) -> LayeredPromptBuilder {
        LayeredPromptBuilder {
            identity: Some(identity.into()),
            ..Default::default()
        }
    }

    /// A prompt of `text` as is, with its cache key.
    pub fn from_text(text: impl Into<String>) -> Self {
        let text = text.into();
        let digest = Sha256::digest(text.as_bytes());
        let cache_key = digest.iter().map(|b| format!("{b:02x}")).collect();
        Self { text, cache_key }
    }

    /// Python's `augment_prompt_tools(text, rows)`: merges `rows` into the `# Tools` table
    /// of `text` (rows already there win), creating the section when absent.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowai::prompt::{LayeredPrompt, ToolRow};
    /// let rows = [ToolRow::new("search_catalog", "Search catalog entities.", "")];
    /// assert_eq!(
    ///     LayeredPrompt::augment_tools("You are a specialist.", &rows).text,
    ///     "You are a specialist.\n\n# Tools\n| Tool | Description | Approval |\n\
    ///      | --- | --- | --- |\n| search_catalog | Search catalog entities. |  |"
    /// );
    /// ```
    pub fn augment_tools(text: &str, rows: &[ToolRow]) -> Self {
        Self::from_text(tools::augment(text, rows))
    }
}
