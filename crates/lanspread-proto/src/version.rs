//! Game versions and the `version.ini` sentinel.
//!
//! The first non-empty line of `version.ini`, trimmed, is the version: 1–64 characters of
//! `A-Za-z0-9._-`. Two versions compare numerically when both are integers (any number of
//! digits, leading zeros allowed) and as byte strings otherwise.
//!
//! That rule is not transitive when integer and non-integer versions mix (`"1x" < "2"`,
//! `"2" < "10"`, `"10" < "1x"`), so [`GameVersion`] deliberately does not implement `Ord`.
//! [`latest`] picks a winner deterministically anyway: it orders integers above
//! non-integers, so a numbered release always beats a stray label.

use std::{cmp::Ordering, fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Maximum length of a version string.
pub const MAX_VERSION_LEN: usize = 64;

/// Largest `version.ini` we read; anything bigger is not a sentinel file.
pub const MAX_VERSION_INI_BYTES: usize = 64 * 1024;

/// A validated game version such as `20250314` or `1.2.3-beta`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct GameVersion(String);

/// Why a version or a `version.ini` is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VersionError {
    /// The version (or the whole file) is empty.
    #[error("version.ini has no version: every line is empty")]
    Empty,
    /// Longer than [`MAX_VERSION_LEN`] characters.
    #[error("version is {len} characters long; at most {MAX_VERSION_LEN} are allowed")]
    TooLong {
        /// Length of the rejected version.
        len: usize,
    },
    /// A character outside `A-Za-z0-9._-`.
    #[error("version may only contain A-Z, a-z, 0-9, '.', '_' and '-'; found {found:?}")]
    BadChar {
        /// The offending character.
        found: char,
    },
    /// The file is larger than [`MAX_VERSION_INI_BYTES`].
    #[error("version.ini is {len} bytes; a version file is at most {MAX_VERSION_INI_BYTES} bytes")]
    FileTooLarge {
        /// File size in bytes.
        len: usize,
    },
    /// The file is not UTF-8 text.
    #[error("version.ini is not UTF-8 text")]
    NotUtf8,
}

impl GameVersion {
    /// Validates and wraps a version string (no trimming).
    pub fn new(v: impl Into<String>) -> Result<Self, VersionError> {
        let v = v.into();
        if v.is_empty() {
            return Err(VersionError::Empty);
        }
        let len = v.chars().count();
        if len > MAX_VERSION_LEN {
            return Err(VersionError::TooLong { len });
        }
        if let Some(found) = v.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(VersionError::BadChar { found });
        }
        Ok(Self(v))
    }

    /// Parses the contents of a `version.ini` file.
    pub fn from_version_ini(bytes: &[u8]) -> Result<Self, VersionError> {
        if bytes.len() > MAX_VERSION_INI_BYTES {
            return Err(VersionError::FileTooLarge { len: bytes.len() });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| VersionError::NotUtf8)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let line = text.lines().map(str::trim).find(|l| !l.is_empty()).ok_or(VersionError::Empty)?;
        Self::new(line)
    }

    /// The canonical `version.ini` contents for this version.
    pub fn to_version_ini(&self) -> String {
        format!("{}\n", self.0)
    }

    /// The version string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the version is all digits (compared numerically).
    pub fn is_integer(&self) -> bool {
        self.0.bytes().all(|b| b.is_ascii_digit())
    }

    /// Compares two versions by the contract's rule: numerically when both are integers,
    /// otherwise as strings. Not transitive across mixed kinds; see the module docs.
    pub fn compare(&self, other: &Self) -> Ordering {
        if self.is_integer() && other.is_integer() {
            let a = self.0.trim_start_matches('0');
            let b = other.0.trim_start_matches('0');
            a.len().cmp(&b.len()).then_with(|| a.cmp(b)).then_with(|| self.0.cmp(&other.0))
        } else {
            self.0.cmp(&other.0)
        }
    }

    /// Whether `self` is strictly newer than `other`.
    pub fn is_newer_than(&self, other: &Self) -> bool {
        self.compare(other) == Ordering::Greater
    }
}

/// The latest of `versions`, deterministic whatever the input order.
///
/// Integer versions are compared numerically and rank above non-integer ones; non-integer
/// versions compare as strings. This is a total order that agrees with
/// [`GameVersion::compare`] whenever both sides are of the same kind.
pub fn latest<'a>(versions: impl IntoIterator<Item = &'a GameVersion>) -> Option<&'a GameVersion> {
    versions.into_iter().max_by(|a, b| total_cmp(a, b))
}

/// The total order used by [`latest`].
pub fn total_cmp(a: &GameVersion, b: &GameVersion) -> Ordering {
    match (a.is_integer(), b.is_integer()) {
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.compare(b),
    }
}

impl fmt::Display for GameVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for GameVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GameVersion({})", self.0)
    }
}

impl FromStr for GameVersion {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl Serialize for GameVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for GameVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GameVersion {
        GameVersion::new(s).unwrap()
    }

    #[test]
    fn version_ini_takes_first_non_empty_trimmed_line() {
        let parsed = GameVersion::from_version_ini(b"\n  \r\n  20250314  \r\nignored\n").unwrap();
        assert_eq!(parsed.as_str(), "20250314");
        let bom = GameVersion::from_version_ini("\u{feff}1.0\n".as_bytes()).unwrap();
        assert_eq!(bom.as_str(), "1.0");
    }

    #[test]
    fn version_ini_errors_are_specific() {
        assert_eq!(GameVersion::from_version_ini(b""), Err(VersionError::Empty));
        assert_eq!(GameVersion::from_version_ini(b" \n\t\n"), Err(VersionError::Empty));
        assert_eq!(GameVersion::from_version_ini(b"1 2"), Err(VersionError::BadChar { found: ' ' }));
        assert_eq!(GameVersion::from_version_ini(&[0xff, 0xfe]), Err(VersionError::NotUtf8));
        let long = "1".repeat(65);
        assert_eq!(GameVersion::from_version_ini(long.as_bytes()), Err(VersionError::TooLong { len: 65 }));
        let huge = vec![b'1'; MAX_VERSION_INI_BYTES + 1];
        assert!(matches!(GameVersion::from_version_ini(&huge), Err(VersionError::FileTooLarge { .. })));
        assert_eq!(GameVersion::new("a/b"), Err(VersionError::BadChar { found: '/' }));
    }

    #[test]
    fn integers_compare_numerically_strings_lexically() {
        assert!(v("10").is_newer_than(&v("9")));
        assert!(v("20250314").is_newer_than(&v("20241231")));
        assert!(v("0010").is_newer_than(&v("9")));
        assert_eq!(v("007").compare(&v("7")), Ordering::Less);
        assert!(v("1.10").compare(&v("1.9")) == Ordering::Less, "strings compare as strings");
        assert!(v("b").is_newer_than(&v("a")));
        assert_eq!(v("5").compare(&v("5")), Ordering::Equal);
    }

    #[test]
    fn latest_is_order_independent() {
        let vs = [v("1x"), v("2"), v("10"), v("beta")];
        let a = latest(vs.iter()).unwrap().clone();
        let b = latest(vs.iter().rev()).unwrap().clone();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "10");
        assert_eq!(latest([].iter()), None);
        assert_eq!(latest([v("a"), v("c"), v("b")].iter()).unwrap().as_str(), "c");
    }

    #[test]
    fn canonical_ini_round_trips() {
        let x = v("1.2.3");
        assert_eq!(GameVersion::from_version_ini(x.to_version_ini().as_bytes()).unwrap(), x);
    }
}
