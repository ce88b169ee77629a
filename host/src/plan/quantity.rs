//! Kubernetes quantities: parsed by the host into integers before a planner sees them, and
//! written back in Kubernetes notation for people and manifests.
//!
//! CPU travels as millicores and memory as bytes. Parsing is exact (no floating point): a value
//! that cannot be expressed in whole millicores or whole bytes is refused, not rounded.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a quantity could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Nothing to parse.
    #[error("empty quantity")]
    Empty,
    /// Not of the form `<number><suffix>`.
    #[error("{0:?} is not a Kubernetes quantity (examples: 500m, 1, 1.5, 512Mi, 1Gi, 2G)")]
    Malformed(String),
    /// A suffix Kubernetes does not know, or one that makes no sense for this resource.
    #[error("unknown suffix {suffix:?} in {quantity:?} (use one of {expected})")]
    Suffix {
        /// The whole quantity as written.
        quantity: String,
        /// The suffix that was not understood.
        suffix: String,
        /// The suffixes that are understood.
        expected: &'static str,
    },
    /// Finer than the unit the host keeps.
    #[error("{quantity:?} is finer than one {unit}")]
    TooPrecise {
        /// The whole quantity as written.
        quantity: String,
        /// The smallest unit kept (`millicore`, `byte`).
        unit: &'static str,
    },
    /// Larger than 2^64 units.
    #[error("{0:?} is too large")]
    TooLarge(String),
    /// A negative amount of CPU or memory.
    #[error("{0:?} is negative")]
    Negative(String),
}

/// A CPU amount in millicores (`500m`, `1`, `1.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CpuMillis(pub u64);

/// A memory amount in bytes (`512Mi`, `1Gi`, `2G`, `1000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemoryBytes(pub u64);

const BINARY_SUFFIXES: [(&str, u32); 6] = [("Ki", 10), ("Mi", 20), ("Gi", 30), ("Ti", 40), ("Pi", 50), ("Ei", 60)];
/// Decimal suffixes with their power of ten relative to a thousandth.
const DECIMAL_SUFFIXES: [(&str, u32); 8] =
    [("m", 0), ("", 3), ("k", 6), ("M", 9), ("G", 12), ("T", 15), ("P", 18), ("E", 21)];
const KNOWN_SUFFIXES: &str = "Ki, Mi, Gi, Ti, Pi, Ei, m, k, M, G, T, P, E, an exponent such as e3, or none";

impl CpuMillis {
    /// Parses a CPU quantity: `500m` is 500, `1` is 1000, `1.5` is 1500.
    pub fn parse(text: &str) -> Result<Self, QuantityError> {
        parse_scaled(text, 3, "millicore").map(CpuMillis)
    }
}

impl MemoryBytes {
    /// Parses a memory quantity: `1Gi` is 2^30, `2G` is 2·10^9, `1.5Ki` is 1536.
    pub fn parse(text: &str) -> Result<Self, QuantityError> {
        parse_scaled(text, 0, "byte").map(MemoryBytes)
    }
}

/// Parses `text` into an integer count of units of 10^-`unit_exponent` of the base unit.
fn parse_scaled(text: &str, unit_exponent: u32, unit: &'static str) -> Result<u64, QuantityError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(QuantityError::Empty);
    }
    let malformed = || QuantityError::Malformed(text.to_string());
    let (unsigned, negative) = match text.as_bytes()[0] {
        b'-' => (&text[1..], true),
        b'+' => (&text[1..], false),
        _ => (text, false),
    };
    let number_end = unsigned
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(number_end);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return Err(malformed());
    }

    // The value is digits × 10^decimal_exponent × 2^binary_exponent base units.
    let mut decimal_exponent: i64 = -(fraction.len() as i64);
    let mut binary_exponent = 0;
    if let Some((_, power)) = BINARY_SUFFIXES.iter().find(|(name, _)| *name == suffix) {
        binary_exponent = *power;
    } else if let Some((_, power)) = DECIMAL_SUFFIXES.iter().find(|(name, _)| *name == suffix) {
        decimal_exponent += i64::from(*power) - 3;
    } else if let Some(exponent) = suffix.strip_prefix(['e', 'E']) {
        let exponent: i64 = exponent.parse().map_err(|_| malformed())?;
        decimal_exponent = decimal_exponent.saturating_add(exponent);
    } else {
        return Err(QuantityError::Suffix { quantity: text.to_string(), suffix: suffix.to_string(), expected: KNOWN_SUFFIXES });
    }
    if negative && (whole.bytes().chain(fraction.bytes())).any(|digit| digit != b'0') {
        return Err(QuantityError::Negative(text.to_string()));
    }

    let too_large = || QuantityError::TooLarge(text.to_string());
    let mut digits: u128 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        digits = digits
            .checked_mul(10)
            .and_then(|value| value.checked_add(u128::from(digit - b'0')))
            .ok_or_else(too_large)?;
    }
    if digits == 0 {
        return Ok(0);
    }
    decimal_exponent = decimal_exponent.saturating_add(i64::from(unit_exponent));
    let mut value = digits.checked_shl(binary_exponent).filter(|shifted| shifted >> binary_exponent == digits).ok_or_else(too_large)?;
    while decimal_exponent > 0 {
        value = value.checked_mul(10).ok_or_else(too_large)?;
        decimal_exponent -= 1;
    }
    while decimal_exponent < 0 {
        if value % 10 != 0 {
            return Err(QuantityError::TooPrecise { quantity: text.to_string(), unit });
        }
        value /= 10;
        decimal_exponent += 1;
    }
    u64::try_from(value).map_err(|_| too_large())
}

impl fmt::Display for CpuMillis {
    /// Whole cores plain (`2`), the rest in millicores (`1500m`), as `kubectl` shows them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(1000) { write!(f, "{}", self.0 / 1000) } else { write!(f, "{}m", self.0) }
    }
}

impl fmt::Display for MemoryBytes {
    /// The shortest of: the largest binary suffix that divides the value, the largest decimal
    /// one, plain bytes (`512Mi`, `2G`, `1500`); binary wins a tie.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DECIMAL: [(&str, u64); 6] = [
            ("E", 1_000_000_000_000_000_000),
            ("P", 1_000_000_000_000_000),
            ("T", 1_000_000_000_000),
            ("G", 1_000_000_000),
            ("M", 1_000_000),
            ("k", 1_000),
        ];
        let bytes = self.0;
        let binary = BINARY_SUFFIXES
            .iter()
            .rev()
            .find(|(_, power)| bytes != 0 && bytes.is_multiple_of(1u64 << power))
            .map(|(suffix, power)| format!("{}{suffix}", bytes >> power));
        let decimal = DECIMAL
            .iter()
            .find(|(_, unit)| bytes != 0 && bytes.is_multiple_of(*unit))
            .map(|(suffix, unit)| format!("{}{suffix}", bytes / unit));
        let shortest = [binary, decimal]
            .into_iter()
            .flatten()
            .fold(bytes.to_string(), |best, candidate| if candidate.len() < best.len() { candidate } else { best });
        f.write_str(&shortest)
    }
}

macro_rules! quantity_serde {
    ($type:ident, $expecting:literal) => {
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct QuantityVisitor;
                impl Visitor<'_> for QuantityVisitor {
                    type Value = $type;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, text: &str) -> Result<$type, E> {
                        $type::parse(text).map_err(E::custom)
                    }
                    fn visit_u64<E: de::Error>(self, value: u64) -> Result<$type, E> {
                        self.visit_str(&value.to_string())
                    }
                    fn visit_i64<E: de::Error>(self, value: i64) -> Result<$type, E> {
                        self.visit_str(&value.to_string())
                    }
                    fn visit_f64<E: de::Error>(self, value: f64) -> Result<$type, E> {
                        // YAML reads `cpu: 1.5` as a float; its shortest decimal form is exact.
                        self.visit_str(&value.to_string())
                    }
                }
                deserializer.deserialize_any(QuantityVisitor)
            }
        }
    };
}

quantity_serde!(CpuMillis, "a CPU quantity such as 500m or 1.5");
quantity_serde!(MemoryBytes, "a memory quantity such as 512Mi or 2G");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_quantities() {
        let cases = [("500m", 500), ("1", 1000), ("1.5", 1500), ("0.25", 250), ("2k", 2_000_000), ("1e3", 1_000_000), ("+3", 3000), ("0", 0), ("-0", 0), ("250m", 250), (".5", 500)];
        for (text, millis) in cases {
            assert_eq!(CpuMillis::parse(text), Ok(CpuMillis(millis)), "{text}");
        }
    }

    #[test]
    fn memory_quantities() {
        let cases = [("1Gi", 1 << 30), ("512Mi", 512 << 20), ("2G", 2_000_000_000), ("1.5Ki", 1536), ("1000", 1000), ("1e3", 1000), ("128974848", 128_974_848), ("129M", 129_000_000), ("1.5Gi", 1_610_612_736), ("1E", 1_000_000_000_000_000_000), ("0e999999999999", 0)];
        for (text, bytes) in cases {
            assert_eq!(MemoryBytes::parse(text), Ok(MemoryBytes(bytes)), "{text}");
        }
    }

    #[test]
    fn refused_quantities() {
        assert_eq!(CpuMillis::parse(""), Err(QuantityError::Empty));
        assert!(matches!(CpuMillis::parse("lots"), Err(QuantityError::Malformed(_))));
        assert!(matches!(CpuMillis::parse("1..5"), Err(QuantityError::Malformed(_))));
        assert!(matches!(CpuMillis::parse("."), Err(QuantityError::Malformed(_))));
        assert!(matches!(CpuMillis::parse("5x"), Err(QuantityError::Suffix { .. })));
        assert!(matches!(MemoryBytes::parse("1GB"), Err(QuantityError::Suffix { .. })));
        assert!(matches!(CpuMillis::parse("0.0001"), Err(QuantityError::TooPrecise { .. })));
        assert!(matches!(MemoryBytes::parse("500m"), Err(QuantityError::TooPrecise { .. })));
        assert!(matches!(CpuMillis::parse("-1"), Err(QuantityError::Negative(_))));
        assert!(matches!(MemoryBytes::parse("20Ei"), Err(QuantityError::TooLarge(_))));
        assert!(matches!(MemoryBytes::parse("99999999999999999999999999999999999999999"), Err(QuantityError::TooLarge(_))));
        assert!(matches!(CpuMillis::parse("1e99999999999"), Err(QuantityError::Malformed(_)) | Err(QuantityError::TooLarge(_))));
    }

    #[test]
    fn notation_round_trips() {
        for millis in [0, 1, 250, 999, 1000, 1500, 64_000] {
            let text = CpuMillis(millis).to_string();
            assert_eq!(CpuMillis::parse(&text), Ok(CpuMillis(millis)), "{text}");
        }
        for bytes in [0, 1, 1000, 1024, 1536, 512 << 20, 1 << 30, 2_000_000_000, 1_610_612_736, u64::MAX] {
            let text = MemoryBytes(bytes).to_string();
            assert_eq!(MemoryBytes::parse(&text), Ok(MemoryBytes(bytes)), "{text}");
        }
        assert_eq!(CpuMillis(300).to_string(), "300m");
        assert_eq!(CpuMillis(2000).to_string(), "2");
        assert_eq!(MemoryBytes(512 << 20).to_string(), "512Mi");
        assert_eq!(MemoryBytes(2_000_000_000).to_string(), "2G");
    }
}
