//! Kubernetes object names (DNS-1123), checked again here because a planner trusts no caller.

/// A DNS-1123 label: what namespaces and planhost targets must be.
pub fn check_label(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.len() > 63 {
        return Err("is longer than 63 characters");
    }
    check_label_characters(name)
}

/// A DNS-1123 subdomain: what Deployment and StatefulSet names must be.
pub fn check_subdomain(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.len() > 253 {
        return Err("is longer than 253 characters");
    }
    name.split('.').try_for_each(check_label_characters)
}

fn check_label_characters(label: &str) -> Result<(), &'static str> {
    let valid = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-';
    let bytes = label.as_bytes();
    if !bytes.iter().all(|&c| valid(c)) {
        return Err("may hold only lower-case letters, digits and '-' (DNS-1123)");
    }
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() => {
            Ok(())
        }
        _ => Err("must start and end with a letter or digit (DNS-1123)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(check_label("assistant-staging").is_ok());
        assert!(check_label("a").is_ok());
        assert_eq!(check_label(""), Err("is empty"));
        assert!(check_label("-web").is_err());
        assert!(check_label("web-").is_err());
        assert!(check_label("Web").is_err());
        assert!(check_label("web.api").is_err());
        assert!(check_label("../etc").is_err());
        assert!(check_label(&"a".repeat(64)).is_err());
        assert!(check_label(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn subdomains() {
        assert!(check_subdomain("web.v2").is_ok());
        assert!(check_subdomain("web..v2").is_err());
        assert!(check_subdomain(".web").is_err());
        assert!(check_subdomain(&"a".repeat(254)).is_err());
    }
}
