//! Identifier case conversions: Rust names to wire names (`RevisionRequested` ->
//! `revision_requested`), function names to type names, and serde's `rename_all` rules.

/// `PlanLifecycle` -> `plan_lifecycle`; `HTTPServer` -> `http_server`.
pub(crate) fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None | Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(_) => next.is_some_and(|n| n.is_lowercase()),
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `search_products` -> `SearchProducts`.
pub(crate) fn pascal(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first.to_uppercase().chain(cs).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// serde's `rename_all` rules for variant names; `None` for a rule serde does not have.
pub(crate) fn rename_variant(rule: &str, variant: &str) -> Option<String> {
    let snake = snake(variant);
    Some(match rule {
        "lowercase" => variant.to_ascii_lowercase(),
        "UPPERCASE" => variant.to_ascii_uppercase(),
        "PascalCase" => variant.to_string(),
        "camelCase" => {
            let mut cs = variant.chars();
            match cs.next() {
                Some(first) => first.to_lowercase().chain(cs).collect(),
                None => String::new(),
            }
        }
        "snake_case" => snake,
        "SCREAMING_SNAKE_CASE" => snake.to_ascii_uppercase(),
        "kebab-case" => snake.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => snake.replace('_', "-").to_ascii_uppercase(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_of_type_names() {
        assert_eq!(snake("PlanLifecycle"), "plan_lifecycle");
        assert_eq!(snake("RevisionRequested"), "revision_requested");
        assert_eq!(snake("Draft"), "draft");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(snake("ScenarioPlanner2"), "scenario_planner2");
    }

    #[test]
    fn pascal_case_of_fn_names() {
        assert_eq!(pascal("search_products"), "SearchProducts");
        assert_eq!(pascal("echo"), "Echo");
    }

    #[test]
    fn serde_rename_rules() {
        assert_eq!(
            rename_variant("snake_case", "PriceChange").unwrap(),
            "price_change"
        );
        assert_eq!(
            rename_variant("camelCase", "PriceChange").unwrap(),
            "priceChange"
        );
        assert_eq!(
            rename_variant("kebab-case", "PriceChange").unwrap(),
            "price-change"
        );
        assert_eq!(
            rename_variant("SCREAMING_SNAKE_CASE", "PriceChange").unwrap(),
            "PRICE_CHANGE"
        );
        assert!(rename_variant("Title Case", "PriceChange").is_none());
    }
}
