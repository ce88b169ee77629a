//! Quantities written back in Kubernetes notation, for messages only: the host owns parsing.

/// Millicores as Kubernetes writes them: whole cores plain, the rest in `m`.
pub fn cpu(millis: u64) -> String {
    if millis.is_multiple_of(1000) { (millis / 1000).to_string() } else { format!("{millis}m") }
}

/// Bytes with the largest binary suffix that divides them.
pub fn memory(bytes: u64) -> String {
    const SUFFIXES: [(&str, u64); 6] =
        [("Ei", 1 << 60), ("Pi", 1 << 50), ("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];
    SUFFIXES
        .iter()
        .find(|(_, unit)| bytes != 0 && bytes.is_multiple_of(*unit))
        .map_or_else(|| bytes.to_string(), |(suffix, unit)| format!("{}{suffix}", bytes / unit))
}

#[cfg(test)]
mod tests {
    #[test]
    fn notation() {
        assert_eq!(super::cpu(300), "300m");
        assert_eq!(super::cpu(2000), "2");
        assert_eq!(super::memory(512 << 20), "512Mi");
        assert_eq!(super::memory(1 << 30), "1Gi");
        assert_eq!(super::memory(1500), "1500");
        assert_eq!(super::memory(0), "0");
    }
}
