//! The secret detector. Secrets never live in a blueprint (credentials are Secrets Manager ARNs), so
//! every string of the file, in every block, known or not, is scanned before anything else. A hit is
//! an error naming the field; the value is never echoed in full. The same pass refuses control
//! characters (a carriage return, a newline from an escape, NUL…) in any string or map key: values
//! become names, tags, ARNs and comments of the generated files, all of them one line of text (the
//! fuzzer found a carriage return in an ARN breaking a generated comment).

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::syntax::{Body, Value, ValueKind};

pub(super) fn scan(body: &Body, diagnostics: &mut Diagnostics) {
    for attribute in &body.attributes {
        scan_value(&attribute.key, &attribute.value, diagnostics);
    }
    for block in &body.blocks {
        scan(&block.body, diagnostics);
    }
}

fn scan_value(field: &str, value: &Value, diagnostics: &mut Diagnostics) {
    match &value.kind {
        ValueKind::String(text) => {
            control_characters(field, text, value, diagnostics);
            if let Some(why) = looks_secret(field, text) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::Secret,
                        value.span,
                        format!("`{field}` holds what looks like {why} (`{}`)", redact(text)),
                    )
                    .with_help("never put credentials in a blueprint: store them in Secrets Manager and give the secret's ARN"),
                );
            }
        }
        ValueKind::Array(items) => items
            .iter()
            .for_each(|item| scan_value(field, item, diagnostics)),
        ValueKind::Object(entries) => {
            for (key, item) in entries {
                control_characters(
                    &format!("a key of `{field}`"),
                    &key.value,
                    item,
                    diagnostics,
                );
                scan_value(&format!("{field}.{}", key.value), item, diagnostics);
            }
        }
        _ => {}
    }
}

/// A located error when `text` holds a control character.
fn control_characters(field: &str, text: &str, at: &Value, diagnostics: &mut Diagnostics) {
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                at.span,
                format!(
                    "`{}` contains the control character U+{:04X}",
                    field.escape_debug(),
                    u32::from(c)
                ),
            )
            .with_help("blueprint strings are one line of printable text: remove it (or the escape that makes it)"),
        );
    }
}

/// What kind of secret `text` looks like, if any.
fn looks_secret(field: &str, text: &str) -> Option<&'static str> {
    if has_access_key_id(text) {
        return Some("an AWS access key id");
    }
    if text.contains("-----BEGIN") {
        return Some("a PEM-encoded key or certificate");
    }
    if ["sk_live_", "sk_test_", "rk_live_", "rk_test_"]
        .iter()
        .any(|p| text.contains(p))
    {
        return Some("a Stripe secret key");
    }
    let field = field.to_ascii_lowercase();
    // Identifiers (`api_key_id`, `authorization_id`) name a credential without being one.
    let sensitive_field = ["key", "secret", "token", "password", "passwd", "credential"]
        .iter()
        .any(|word| field.contains(word))
        && !field.ends_with("_id");
    if sensitive_field
        && !text.starts_with("arn:")
        && text.len() >= 20
        && shannon_entropy(text) >= 3.5
    {
        return Some("a secret (a long random string in a field named like a credential)");
    }
    None
}

/// `AKIA` or `ASIA` followed by 16 upper-case letters or digits.
fn has_access_key_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(20).any(|w| {
        (w.starts_with(b"AKIA") || w.starts_with(b"ASIA"))
            && w[4..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

/// Bits per character of the string's character distribution.
fn shannon_entropy(text: &str) -> f64 {
    let mut counts = std::collections::BTreeMap::new();
    for c in text.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    #[allow(clippy::cast_precision_loss)] // counts are far below 2^52
    let len = text.chars().count() as f64;
    counts
        .values()
        .map(|&n| {
            #[allow(clippy::cast_precision_loss)]
            let p = n as f64 / len;
            -p * p.log2()
        })
        .sum()
}

/// The first four characters and an ellipsis: enough to find the value, not enough to use it.
fn redact(text: &str) -> String {
    let prefix: String = text.chars().take(4).collect();
    format!("{prefix}…")
}

#[cfg(test)]
mod tests {
    use super::looks_secret;

    #[test]
    fn detects_credentials_and_spares_ordinary_values() {
        assert!(looks_secret("owner", "AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(looks_secret("x", "-----BEGIN PRIVATE KEY-----").is_some());
        assert!(looks_secret("x", "sk_live_abc").is_some());
        assert!(looks_secret("api_token", "q8Zr2LxV9mPw4TnYc7Hs1KdE").is_some());
        assert!(
            looks_secret(
                "api_token",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"
            )
            .is_none()
        );
        assert!(looks_secret("cost_center", "q8Zr2LxV9mPw4TnYc7Hs1KdE").is_none());
        assert!(looks_secret("api_key_id", "3f9c2a71-5b8e-4d1f-9a06-c4e7b2d8f135").is_none());
        assert!(looks_secret("api_key_id", "AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(looks_secret("owner", "platform-team").is_none());
    }
}
