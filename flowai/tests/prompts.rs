//! Layered prompts render byte-identical text to Python's `layered_prompt` and
//! `augment_prompt_tools` (python-api §11): every fixture under `tests/fixtures/prompts`
//! (input JSON + expected text, shared with the Python suite) is rendered and compared.

use flowai::prompt::{LayeredPrompt, TextSection, ToolRow};
use serde_json::Value;
use std::path::PathBuf;

fn text_section(value: &Value) -> Option<TextSection> {
    match value {
        Value::String(s) => Some(TextSection::Text(s.clone())),
        Value::Array(items) => Some(TextSection::Bullets(
            items
                .iter()
                .map(|i| i.as_str().unwrap().to_string())
                .collect(),
        )),
        _ => None,
    }
}

fn tool_rows(value: &Value) -> Vec<ToolRow> {
    let cell = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| match t {
            Value::String(name) => ToolRow::new(name.clone(), "", ""),
            row => {
                let approval = match &row["approval"] {
                    Value::Object(m) => m["kind"].as_str().unwrap().to_string(),
                    other => other.as_str().unwrap_or("").to_string(),
                };
                ToolRow::new(cell(row, "name"), cell(row, "description"), approval)
            }
        })
        .collect()
}

fn render(case: &Value) -> LayeredPrompt {
    if case["kind"] == "augment" {
        return LayeredPrompt::augment_tools(
            case["text"].as_str().unwrap(),
            &tool_rows(&case["tools"]),
        );
    }
    let input = &case["input"];
    let mut b = LayeredPrompt::builder(text_section(&input["identity"]).unwrap());
    if let Some(s) = text_section(&input["communication"]) {
        b = b.communication(s);
    }
    if let Some(s) = text_section(&input["operational_rules"]) {
        b = b.operational_rules(s);
    }
    if let Some(s) = text_section(&input["safety"]) {
        b = b.safety(s);
    }
    b.tools(tool_rows(&input["tools"]))
        .domain_knowledge(input["domain_knowledge"].clone())
        .output_format(input["output_format"].clone())
        .examples(input["examples"].clone())
        .build()
}

#[test]
fn every_prompt_fixture_renders_byte_identically() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prompts");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let expected = std::fs::read_to_string(path.with_extension("txt")).unwrap();
        let prompt = render(&case);
        assert_eq!(prompt.text, expected, "fixture {}", path.display());
        assert_eq!(
            prompt.cache_key,
            case["cache_key"].as_str().unwrap(),
            "fixture {}",
            path.display()
        );
        assert_eq!(prompt.to_string(), expected);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures");
}

#[test]
fn domain_knowledge_key_order_does_not_change_the_prompt() {
    let a: Value = serde_json::from_str(r#"{"b": 1, "a": {"y": 2, "x": 3}}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"a": {"x": 3, "y": 2}, "b": 1}"#).unwrap();
    let one = LayeredPrompt::builder("x").domain_knowledge(a).build();
    let two = LayeredPrompt::builder("x").domain_knowledge(b).build();
    assert_eq!(one, two);
}
