//! The `# Tools` table: rows, rendering, and merging rows into an existing prompt
//! (python-api §11.1 tools section, §11.2 `augment_prompt_tools`).

use super::pyjson::strip;

/// One row of the `# Tools` table.
///
/// # Examples
///
/// ```
/// let row = flowai::prompt::ToolRow::new("search", "Search things.", "runtime");
/// assert_eq!(row.approval, "runtime");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolRow {
    /// Tool name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Approval label (`""` when none).
    pub approval: String,
}

impl ToolRow {
    /// A row from its three cells.
    pub fn new(
        name: impl Into<String>,
        description: impl Into<String>,
        approval: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            approval: approval.into(),
        }
    }
}

const TOOLS_HEADING: &str = "# Tools";
const TABLE_HEADER: &str = "| Tool | Description | Approval |\n| --- | --- | --- |";
const ANCHORS: [&str; 3] = ["# Identity", "# Communication", "# Operational Rules"];

/// First row of each stripped, non-empty name wins; names come back stripped.
pub(crate) fn dedupe(rows: impl IntoIterator<Item = ToolRow>) -> Vec<ToolRow> {
    let mut unique: Vec<ToolRow> = Vec::new();
    for row in rows {
        let key = strip(&row.name);
        if !key.is_empty() && !unique.iter().any(|r| r.name == key) {
            unique.push(ToolRow {
                name: key.to_string(),
                ..row
            });
        }
    }
    unique
}

fn cell(text: &str) -> String {
    let escaped = text
        .replace('|', "\\|")
        .replace("\r\n", " ")
        .replace(['\n', '\r'], " ");
    strip(&escaped).to_string()
}

/// The Markdown table of `rows` sorted by name, or `""` when there are none.
pub(crate) fn render_table(rows: &[ToolRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut sorted: Vec<&ToolRow> = rows.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut lines = vec![TABLE_HEADER.to_string()];
    for r in sorted {
        lines.push(format!(
            "| {} | {} | {} |",
            cell(&r.name),
            cell(&r.description),
            cell(&r.approval)
        ));
    }
    lines.join("\n")
}

fn heading(section: &str) -> &str {
    strip(section.split('\n').next().unwrap_or(""))
}

fn split_sections(text: &str) -> Vec<String> {
    let mut chunks: Vec<Vec<&str>> = vec![Vec::new()];
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 && line.starts_with("# ") {
            chunks.push(Vec::new());
        }
        chunks.last_mut().expect("one chunk").push(line);
    }
    chunks
        .iter()
        .map(|c| strip(&c.join("\n")).to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn is_separator(cell: &str) -> bool {
    let inner = cell.strip_prefix(':').unwrap_or(cell);
    let inner = inner.strip_suffix(':').unwrap_or(inner);
    !inner.is_empty() && inner.chars().all(|c| c == '-')
}

fn parse_row(line: &str) -> Option<ToolRow> {
    let mut parts = vec![String::new()];
    let mut previous = None;
    for c in line.chars() {
        if c == '|' && previous != Some('\\') {
            parts.push(String::new());
        } else {
            parts.last_mut().expect("one part").push(c);
        }
        previous = Some(c);
    }
    let inner = &parts[1..parts.len() - 1];
    let mut cells: Vec<String> = inner.iter().map(|c| strip(c).replace("\\|", "|")).collect();
    if cells.is_empty() || cells[0] == "Tool" || cells.iter().all(|c| is_separator(c)) {
        return None;
    }
    cells.resize(3.max(cells.len()), String::new());
    Some(ToolRow::new(
        cells[0].clone(),
        cells[1].clone(),
        cells[2].clone(),
    ))
}

fn merge_section(section: &str, rows: &[ToolRow]) -> String {
    let mut lines = section.split('\n');
    let head = lines.next().unwrap_or("");
    let (mut before, mut after, mut existing) = (Vec::new(), Vec::new(), Vec::new());
    let mut in_table = false;
    for line in lines {
        let stripped = strip(line);
        if stripped.chars().count() > 1 && stripped.starts_with('|') && stripped.ends_with('|') {
            in_table = true;
            existing.extend(parse_row(stripped));
        } else if in_table {
            after.push(line.to_string());
        } else {
            before.push(line.to_string());
        }
    }
    let table = render_table(&dedupe(existing.into_iter().chain(rows.iter().cloned())));
    let body: Vec<String> = before
        .into_iter()
        .chain(std::iter::once(table))
        .chain(after)
        .collect();
    format!("{head}\n{}", strip(&body.join("\n")))
}

/// The text of `augment_prompt_tools(text, rows)`.
pub(crate) fn augment(text: &str, rows: &[ToolRow]) -> String {
    let rows = dedupe(rows.iter().cloned());
    if rows.is_empty() {
        return text.to_string();
    }
    let mut sections = split_sections(text);
    if let Some(i) = sections.iter().position(|s| heading(s) == TOOLS_HEADING) {
        sections[i] = merge_section(&sections[i], &rows);
    } else {
        let table = format!("{TOOLS_HEADING}\n{}", render_table(&rows));
        if !sections.iter().any(|s| s.starts_with("# ")) {
            sections.push(table);
        } else {
            let at = sections
                .iter()
                .rposition(|s| ANCHORS.contains(&heading(s)))
                .map_or(0, |i| i + 1);
            sections.insert(at, table);
        }
    }
    sections.join("\n\n")
}
