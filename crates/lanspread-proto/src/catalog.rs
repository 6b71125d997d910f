//! The game catalog: which game ids exist, with their names and descriptions.
//!
//! Only game roots whose id is in the catalog are announced or served. The bundled catalog
//! (`catalog/catalog.json`) is compiled in; `--catalog FILE` or the app's settings replace it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{ids::GameId, path::RelPath};

/// The catalog shipped with lanspread, as JSON.
pub const BUNDLED_CATALOG_JSON: &str = include_str!("../../../catalog/catalog.json");

/// Largest catalog file accepted (8 MiB).
pub const MAX_CATALOG_BYTES: usize = 8 << 20;

/// One game the catalog knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// Unique id, also the game root's directory name.
    pub id: GameId,
    /// Display name.
    pub name: String,
    /// One or two sentences for the game card.
    pub description: String,
    /// Genre label, e.g. "FPS".
    pub genre: String,
    /// Most players in one match.
    pub max_players: u32,
    /// Year of the original release.
    pub release_year: u16,
    /// Approximate download size in bytes; 0 means unknown.
    pub size_bytes: u64,
    /// Art path relative to the catalog directory, or `None`.
    pub art: Option<String>,
}

/// A loaded, validated catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    entries: Vec<CatalogEntry>,
    by_id: HashMap<GameId, usize>,
}

/// Why a catalog file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The file is larger than [`MAX_CATALOG_BYTES`].
    #[error("catalog is {0} bytes; at most {MAX_CATALOG_BYTES} are accepted")]
    TooLarge(usize),
    /// Not valid JSON, or not a list of entries with the expected fields.
    #[error("catalog is not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// An entry's id breaks the id rule.
    #[error("catalog entry #{index} has an invalid id {id:?}: {reason}")]
    InvalidId {
        /// 0-based position in the list.
        index: usize,
        /// The id as written.
        id: String,
        /// Why it is invalid.
        reason: String,
    },
    /// Two entries share an id.
    #[error("catalog entries #{first} and #{second} both use the id {id:?}; ids must be unique")]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// Position of the first use.
        first: usize,
        /// Position of the second use.
        second: usize,
    },
    /// Some other field is out of range.
    #[error("catalog entry #{index} ({id}): {field} {problem}")]
    InvalidField {
        /// 0-based position in the list.
        index: usize,
        /// The entry's id.
        id: String,
        /// Field name.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

/// An entry as written, before the id is checked (so errors can name the position).
#[derive(Deserialize)]
struct RawEntry {
    id: String,
    name: String,
    description: String,
    genre: String,
    max_players: u32,
    release_year: u16,
    size_bytes: u64,
    art: Option<String>,
}

impl Catalog {
    /// Parses and validates catalog JSON (a list of entries).
    pub fn from_json(bytes: &[u8]) -> Result<Self, CatalogError> {
        if bytes.len() > MAX_CATALOG_BYTES {
            return Err(CatalogError::TooLarge(bytes.len()));
        }
        let raw: Vec<RawEntry> = serde_json::from_slice(bytes).map_err(|e| CatalogError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let mut entries = Vec::with_capacity(raw.len());
        let mut by_id = HashMap::with_capacity(raw.len());
        for (index, r) in raw.into_iter().enumerate() {
            let id = GameId::new(r.id.clone()).map_err(|e| CatalogError::InvalidId {
                index,
                id: r.id.clone(),
                reason: e.to_string(),
            })?;
            if let Some(&first) = by_id.get(&id) {
                return Err(CatalogError::DuplicateId { id: r.id, first, second: index });
            }
            let bad = |field: &'static str, problem: &str| CatalogError::InvalidField {
                index,
                id: r.id.clone(),
                field,
                problem: problem.to_string(),
            };
            check_text(&r.name, 1, 120).map_err(|p| bad("name", &p))?;
            check_text(&r.description, 0, 2000).map_err(|p| bad("description", &p))?;
            check_text(&r.genre, 0, 60).map_err(|p| bad("genre", &p))?;
            if !(1..=10_000).contains(&r.max_players) {
                return Err(bad("max_players", "must be between 1 and 10000"));
            }
            if !(1970..=2100).contains(&r.release_year) {
                return Err(bad("release_year", "must be between 1970 and 2100"));
            }
            if let Some(art) = &r.art {
                RelPath::validate(art).map_err(|e| bad("art", &e.to_string()))?;
            }
            by_id.insert(id.clone(), index);
            entries.push(CatalogEntry {
                id,
                name: r.name,
                description: r.description,
                genre: r.genre,
                max_players: r.max_players,
                release_year: r.release_year,
                size_bytes: r.size_bytes,
                art: r.art,
            });
        }
        Ok(Self { entries, by_id })
    }

    /// The catalog compiled into this build.
    pub fn bundled() -> Self {
        match Self::from_json(BUNDLED_CATALOG_JSON.as_bytes()) {
            Ok(c) => c,
            // The bundled file is validated by this crate's tests; an empty catalog is the
            // safe fallback should a broken file ever be compiled in.
            Err(_) => Self { entries: Vec::new(), by_id: HashMap::new() },
        }
    }

    /// An empty catalog (serves nothing).
    pub fn empty() -> Self {
        Self { entries: Vec::new(), by_id: HashMap::new() }
    }

    /// The entry for `id`.
    pub fn get(&self, id: &GameId) -> Option<&CatalogEntry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    /// Looks up an entry by a string id (no allocation when absent).
    pub fn get_str(&self, id: &str) -> Option<&CatalogEntry> {
        let id = GameId::new(id).ok()?;
        self.get(&id)
    }

    /// Whether `id` is in the catalog.
    pub fn contains(&self, id: &GameId) -> bool {
        self.by_id.contains_key(id)
    }

    /// All entries in file order.
    pub fn entries(&self) -> &[CatalogEntry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the catalog has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn check_text(s: &str, min: usize, max: usize) -> Result<(), String> {
    let len = s.chars().count();
    if s.trim().len() < min {
        return Err("must not be empty".into());
    }
    if len > max {
        return Err(format!("is {len} characters; at most {max} are allowed"));
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err("contains control characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> String {
        format!(
            r#"{{"id":"{id}","name":"N","description":"D","genre":"FPS","max_players":16,"release_year":1999,"size_bytes":0,"art":null}}"#
        )
    }

    #[test]
    fn bundled_catalog_is_valid_and_large_enough() {
        let c = Catalog::from_json(BUNDLED_CATALOG_JSON.as_bytes()).unwrap();
        assert!(c.len() >= 40, "starter catalog has {} entries", c.len());
        assert_eq!(Catalog::bundled(), c);
        for e in c.entries() {
            assert!(!e.description.is_empty(), "{} lacks a description", e.id);
            assert!(!e.genre.is_empty(), "{} lacks a genre", e.id);
        }
    }

    #[test]
    fn duplicate_ids_name_both_positions() {
        let json = format!("[{},{},{}]", entry("a"), entry("b"), entry("a"));
        let err = Catalog::from_json(json.as_bytes()).unwrap_err();
        assert_eq!(err, CatalogError::DuplicateId { id: "a".into(), first: 0, second: 2 });
        assert!(err.to_string().contains("#0 and #2"));
    }

    #[test]
    fn bad_ids_are_explained() {
        let json = format!("[{},{}]", entry("ok"), entry("Bad Id"));
        let err = Catalog::from_json(json.as_bytes()).unwrap_err();
        assert!(matches!(&err, CatalogError::InvalidId { index: 1, id, .. } if id == "Bad Id"));
        assert!(err.to_string().contains("must start with a-z or 0-9"), "{err}");
    }

    #[test]
    fn json_errors_carry_position() {
        let err = Catalog::from_json(b"[{\"id\": \"a\",\n  oops}]").unwrap_err();
        assert!(matches!(err, CatalogError::Json { line: 2, .. }), "{err:?}");
        let err =
            Catalog::from_json(format!("[{}]", entry("a").replace("\"genre\":\"FPS\",", "")).as_bytes())
                .unwrap_err();
        assert!(err.to_string().contains("genre"), "{err}");
    }

    #[test]
    fn field_ranges_are_checked() {
        let zero_players = entry("a").replace("\"max_players\":16", "\"max_players\":0");
        let err = Catalog::from_json(format!("[{zero_players}]").as_bytes()).unwrap_err();
        assert!(matches!(err, CatalogError::InvalidField { field: "max_players", .. }));
        let escape = entry("a").replace("\"art\":null", "\"art\":\"../../etc/passwd\"");
        let err = Catalog::from_json(format!("[{escape}]").as_bytes()).unwrap_err();
        assert!(matches!(err, CatalogError::InvalidField { field: "art", .. }));
        let empty_name = entry("a").replace("\"name\":\"N\"", "\"name\":\"  \"");
        let err = Catalog::from_json(format!("[{empty_name}]").as_bytes()).unwrap_err();
        assert!(matches!(err, CatalogError::InvalidField { field: "name", .. }));
    }

    #[test]
    fn lookups() {
        let c = Catalog::from_json(format!("[{},{}]", entry("a"), entry("b")).as_bytes()).unwrap();
        assert!(c.contains(&GameId::new("b").unwrap()));
        assert!(c.get_str("c").is_none());
        assert!(c.get_str("NOT VALID").is_none());
        assert_eq!(c.get_str("a").unwrap().name, "N");
    }
}
