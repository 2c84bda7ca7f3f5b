//! Field-by-field change records for the audit log, with personal values masked.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Change {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Collects the differences between two flat field lists (`(name, value, personal)`).
pub fn diff(old: &[(String, String, bool)], new: &[(String, String, bool)]) -> Vec<Change> {
    let mask = |v: &str, personal: bool, field: &str| -> String {
        if !personal || v.is_empty() {
            v.to_string()
        } else if field == "email" {
            domain::mask::email(v)
        } else if field == "phone" {
            domain::mask::phone(v)
        } else {
            "(personal, not shown)".to_string()
        }
    };
    let mut out = Vec::new();
    for (name, value, personal) in new {
        let before = old.iter().find(|(n, _, _)| n == name).map(|(_, v, _)| v.as_str());
        if before.unwrap_or("") != value.as_str() {
            out.push(Change {
                field: name.clone(),
                old: before.filter(|b| !b.is_empty()).map(|b| mask(b, *personal, name)),
                new: if value.is_empty() { None } else { Some(mask(value, *personal, name)) },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(n: &str, v: &str, p: bool) -> (String, String, bool) {
        (n.into(), v.into(), p)
    }

    #[test]
    fn only_changes_and_masked() {
        let old = vec![f("name", "A", false), f("email", "jane@a.example", true)];
        let new = vec![f("name", "A", false), f("email", "bob@b.example", true)];
        let d = diff(&old, &new);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].old.as_deref(), Some("j***@a.example"));
        assert_eq!(d[0].new.as_deref(), Some("b***@b.example"));
    }
}
