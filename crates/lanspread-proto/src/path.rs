//! Relative payload paths and the reserved names of a game root.
//!
//! A [`RelPath`] is how manifests name payload files: relative, `/`-separated, never `..`,
//! never absolute, never a Windows drive or stream, and never inside a reserved name. Because
//! the check runs on deserialization, a hostile manifest cannot even be decoded.

use std::{fmt, path::PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Maximum length of a payload path in bytes.
pub const MAX_REL_PATH_LEN: usize = 1024;

/// Maximum depth (number of components) of a payload path.
pub const MAX_REL_PATH_DEPTH: usize = 64;

/// The name of the sentinel file at the root of a game.
pub const VERSION_INI: &str = "version.ini";

/// The install directory at the root of a game.
pub const LOCAL_DIR: &str = "local";

/// Whether a top-level name inside a game root is reserved (never payload).
///
/// Reserved, compared case-insensitively because Windows file names are: `local`, and
/// anything starting with `.lanspread`, `.local.` or `.version.ini.`.
pub fn is_reserved_root_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == LOCAL_DIR
        || lower.starts_with(".lanspread")
        || lower.starts_with(".local.")
        || lower.starts_with(".version.ini.")
}

/// Whether Windows treats a path component specially, so a payload file by that name would
/// open a device, alias another file, or fail to be created: a device name whatever its
/// extension or case (`CON`, `aux.txt`, `COM1`, `LPT²`, `CONIN$`), an 8.3 short-name alias
/// (`NAME~1`, `PROGRA~2.EXE`), or a character NTFS refuses (`<>"|?*`). The same manifest must be
/// valid on every platform, so these are refused everywhere.
fn is_windows_special(comp: &str) -> bool {
    if comp.chars().any(|c| matches!(c, '<' | '>' | '"' | '|' | '?' | '*')) {
        return true;
    }
    // Windows ignores everything from the first dot, and trailing spaces before it.
    let stem = comp.split('.').next().unwrap_or(comp).trim_end_matches(' ');
    let upper = stem.to_uppercase();
    if matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$") {
        return true;
    }
    for prefix in ["COM", "LPT"] {
        if let Some(rest) = upper.strip_prefix(prefix) {
            let mut cs = rest.chars();
            if let (Some(c), None) = (cs.next(), cs.next())
                && (c.is_ascii_digit() || matches!(c, '¹' | '²' | '³'))
            {
                return true;
            }
        }
    }
    is_short_name_alias(comp)
}

/// `BASE~N[.EXT]` with a base of at most 8 characters (digits after the `~`) and an extension of
/// at most 3: the form Windows generates for 8.3 short names.
fn is_short_name_alias(comp: &str) -> bool {
    let (base, ext) = comp.split_once('.').unwrap_or((comp, ""));
    if base.chars().count() > 8 || ext.chars().count() > 3 || ext.contains('.') {
        return false;
    }
    match base.rsplit_once('~') {
        Some((head, n)) => !head.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

/// A validated relative payload path, e.g. `data/maps/dm1.bsp`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelPath(String);

/// Why a string is not a valid payload path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RelPathError {
    /// Empty path or empty component (`a//b`, trailing `/`).
    #[error("path {path:?} is empty or has an empty component")]
    EmptyComponent {
        /// The rejected path.
        path: String,
    },
    /// Starts with `/` or `\`, or has a drive letter or a `:`.
    #[error("path {path:?} is absolute or names a drive; payload paths are relative")]
    Absolute {
        /// The rejected path.
        path: String,
    },
    /// Contains a `.` or `..` component.
    #[error("path {path:?} contains '.' or '..'")]
    DotComponent {
        /// The rejected path.
        path: String,
    },
    /// Contains a backslash, NUL or control character.
    #[error("path {path:?} contains a backslash or control character")]
    BadChar {
        /// The rejected path.
        path: String,
    },
    /// A component ends with a space or a dot, which Windows silently strips.
    #[error("path {path:?} has a component ending in a space or '.'")]
    TrailingDotOrSpace {
        /// The rejected path.
        path: String,
    },
    /// The first component is reserved (`local`, `.lanspread*`, `.local.*`, `.version.ini.*`).
    #[error("path {path:?} is inside a reserved name of the game root")]
    Reserved {
        /// The rejected path.
        path: String,
    },
    /// A component Windows treats specially: a device name (`CON`, `nul.txt`, `COM1`, `LPT¹`,
    /// `CONIN$`), an 8.3 short-name alias (`LANSPR~1` can reach `.lanspread/`), or a character
    /// Windows cannot store (`<>"|?*`).
    #[error("path {path:?} has a component Windows reserves (device name, 8.3 alias or <>\"|?*)")]
    WindowsName {
        /// The rejected path.
        path: String,
    },
    /// Longer than [`MAX_REL_PATH_LEN`] bytes or deeper than [`MAX_REL_PATH_DEPTH`].
    #[error("path is too long or too deep ({len} bytes, {depth} components)")]
    TooLong {
        /// Byte length.
        len: usize,
        /// Component count.
        depth: usize,
    },
}

impl RelPath {
    /// Validates and wraps a `/`-separated relative path.
    pub fn new(path: impl Into<String>) -> Result<Self, RelPathError> {
        let path = path.into();
        Self::validate(&path)?;
        Ok(Self(path))
    }

    /// Checks `path` without allocating on success.
    pub fn validate(path: &str) -> Result<(), RelPathError> {
        let err_path = || path.chars().take(200).collect::<String>();
        let depth = path.split('/').count();
        if path.len() > MAX_REL_PATH_LEN || depth > MAX_REL_PATH_DEPTH {
            return Err(RelPathError::TooLong { len: path.len(), depth });
        }
        if path.starts_with('/') || path.starts_with('\\') || path.contains(':') {
            return Err(RelPathError::Absolute { path: err_path() });
        }
        if path.chars().any(|c| c == '\\' || c.is_control()) {
            return Err(RelPathError::BadChar { path: err_path() });
        }
        for (i, comp) in path.split('/').enumerate() {
            if comp.is_empty() {
                return Err(RelPathError::EmptyComponent { path: err_path() });
            }
            if comp == "." || comp == ".." {
                return Err(RelPathError::DotComponent { path: err_path() });
            }
            if comp.ends_with('.') || comp.ends_with(' ') {
                return Err(RelPathError::TrailingDotOrSpace { path: err_path() });
            }
            if i == 0 && is_reserved_root_name(comp) {
                return Err(RelPathError::Reserved { path: err_path() });
            }
            if is_windows_special(comp) {
                return Err(RelPathError::WindowsName { path: err_path() });
            }
        }
        Ok(())
    }

    /// The path as a `/`-separated string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The components of the path.
    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// The path as a platform path, relative to a game root.
    pub fn to_path_buf(&self) -> PathBuf {
        self.components().collect()
    }

    /// Whether this is the root sentinel `version.ini`.
    pub fn is_version_ini(&self) -> bool {
        self.0 == VERSION_INI
    }

    /// A case-folded key for comparing paths the way case-insensitive file systems do.
    pub fn fold_key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RelPath({:?})", self.0)
    }
}

impl Serialize for RelPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RelPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_payload_paths() {
        for ok in ["version.ini", "game.rar", "data/maps/dm1.bsp", "a b/c d.txt", "ümlaut/ß", ".hidden"] {
            assert!(RelPath::new(ok).is_ok(), "{ok}");
        }
        assert_eq!(RelPath::new("a/b/c").unwrap().to_path_buf(), PathBuf::from("a").join("b").join("c"));
    }

    #[test]
    fn rejects_escapes_and_reserved_names() {
        type Check = fn(&RelPathError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("", |e| matches!(e, RelPathError::EmptyComponent { .. })),
            ("a//b", |e| matches!(e, RelPathError::EmptyComponent { .. })),
            ("a/", |e| matches!(e, RelPathError::EmptyComponent { .. })),
            ("/etc/passwd", |e| matches!(e, RelPathError::Absolute { .. })),
            ("\\evil", |e| matches!(e, RelPathError::Absolute { .. })),
            ("C:/Windows", |e| matches!(e, RelPathError::Absolute { .. })),
            ("c:evil", |e| matches!(e, RelPathError::Absolute { .. })),
            ("file.txt:stream", |e| matches!(e, RelPathError::Absolute { .. })),
            ("../x", |e| matches!(e, RelPathError::DotComponent { .. })),
            ("a/../../x", |e| matches!(e, RelPathError::DotComponent { .. })),
            ("./x", |e| matches!(e, RelPathError::DotComponent { .. })),
            ("a\\..\\x", |e| matches!(e, RelPathError::BadChar { .. })),
            ("a\0b", |e| matches!(e, RelPathError::BadChar { .. })),
            ("a\nb", |e| matches!(e, RelPathError::BadChar { .. })),
            ("dir./x", |e| matches!(e, RelPathError::TrailingDotOrSpace { .. })),
            ("dir /x", |e| matches!(e, RelPathError::TrailingDotOrSpace { .. })),
            ("local/x", |e| matches!(e, RelPathError::Reserved { .. })),
            ("LOCAL/x", |e| matches!(e, RelPathError::Reserved { .. })),
            (".lanspread.json", |e| matches!(e, RelPathError::Reserved { .. })),
            (".lanspread/state", |e| matches!(e, RelPathError::Reserved { .. })),
            (".local.installing/x", |e| matches!(e, RelPathError::Reserved { .. })),
            (".version.ini.tmp", |e| matches!(e, RelPathError::Reserved { .. })),
            ("CON", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("a/nul.txt", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("Aux .tar.gz", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("COM1", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("data/lpt9.log", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("COM\u{b9}", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("lpt\u{b3}.x", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("conin$", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("LANSPR~1", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("LANSPR~1/state", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("data/PROGRA~2.EXE", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("a<b", |e| matches!(e, RelPathError::WindowsName { .. })),
            ("what?.txt", |e| matches!(e, RelPathError::WindowsName { .. })),
        ];
        for (input, check) in cases {
            let err = RelPath::new(*input).unwrap_err();
            assert!(check(&err), "{input:?} gave {err:?}");
        }
        assert!(RelPath::new("sub/local/x").is_ok(), "only the top level is reserved");
        // Names that merely resemble device names or short aliases are payload.
        for ok in [
            "console.txt",
            "com10",
            "COM",
            "lpt0x",
            "nullify.dat",
            "auxiliary/x",
            "a~b.txt",
            "~1",
            "longname~1.txt",
            "x~1.long",
        ] {
            assert!(RelPath::new(ok).is_ok(), "{ok}");
        }
        let deep = vec!["d"; MAX_REL_PATH_DEPTH + 1].join("/");
        assert!(matches!(RelPath::new(deep), Err(RelPathError::TooLong { .. })));
    }

    #[test]
    fn deserialization_validates() {
        assert!(serde_json::from_str::<RelPath>("\"../../etc/passwd\"").is_err());
        assert!(serde_json::from_str::<RelPath>("\"ok/file\"").is_ok());
    }

    #[test]
    fn reserved_names() {
        for r in ["local", "Local", ".lanspread", ".lanspread.json", ".local.backup", ".version.ini.tmp"] {
            assert!(is_reserved_root_name(r), "{r}");
        }
        for p in ["version.ini", "locale", "local.rar", ".localx", "game.rar"] {
            assert!(!is_reserved_root_name(p), "{p}");
        }
    }
}
