//! The game catalog: which game ids exist, with their names and descriptions, and the version
//! pins an organiser hands out.
//!
//! Only game roots whose id is in the catalog are announced or served. The bundled catalog
//! (`catalog/catalog.json`) is compiled in; `--catalog FILE` or the app's settings replace it.
//!
//! Two shapes are read: format 1, a bare list of entries; format 2, an object
//! `{"format": 2, "name": "…", "titles": [entries]}`. An entry may pin versions:
//! `"pins": {"<version>": "<manifest digest, 64 hex>"}` — a pinned version is trusted whoever
//! holds it, and only with exactly that manifest (see the trust rule in `lanspread-peer`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{
    ids::{Digest, GameId},
    path::RelPath,
    version::GameVersion,
};

/// The newest catalog format this build reads.
pub const CATALOG_FORMAT: u32 = 2;
/// Most pins one title may carry.
pub const MAX_PINS_PER_TITLE: usize = 64;

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
    /// Pinned versions and the manifest digest each must have, sorted by version text
    /// (written as the object `{"<version>": "<digest>"}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "pins_map")]
    pub pins: Vec<(GameVersion, Digest)>,
    /// How to start the game on each OS, if the catalog says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch: Option<Launch>,
}

/// Most arguments one launch entry may pass.
pub const MAX_LAUNCH_ARGS: usize = 64;

/// How to start a game, per OS (`"launch": {"windows": {...}, "linux": {...}}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Launch {
    /// On Windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows: Option<LaunchSpec>,
    /// On Linux.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linux: Option<LaunchSpec>,
    /// On macOS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub macos: Option<LaunchSpec>,
}

impl Launch {
    /// The entry for the OS this build runs on.
    pub fn for_this_os(&self) -> Option<&LaunchSpec> {
        if cfg!(windows) {
            self.windows.as_ref()
        } else if cfg!(target_os = "macos") {
            self.macos.as_ref()
        } else {
            self.linux.as_ref()
        }
    }
}

/// One OS's way to start a game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchSpec {
    /// The program, relative to the game's `local/` directory (validated like every payload
    /// path: no `..`, no absolute path, no drive).
    pub exe: RelPath,
    /// Arguments, passed as they are (no shell).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
}

impl CatalogEntry {
    /// The pinned manifest digest of `version`, if pinned.
    pub fn pin(&self, version: &GameVersion) -> Option<Digest> {
        self.pins.iter().find(|(v, _)| v == version).map(|(_, d)| *d)
    }
}

/// A loaded, validated catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    name: Option<String>,
    format: u32,
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
    /// A newer format than this build reads.
    #[error(
        "catalog format {0} is newer than this lanspread understands (up to {CATALOG_FORMAT}); update lanspread"
    )]
    UnsupportedFormat(u32),
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
    #[serde(default)]
    pins: Option<HashMap<String, String>>,
    #[serde(default)]
    launch: Option<Launch>,
}

/// `pins` as a JSON object.
mod pins_map {
    use serde::{Deserialize, Deserializer, Serializer, ser::SerializeMap};

    use crate::{ids::Digest, version::GameVersion};

    pub(super) fn serialize<S: Serializer>(pins: &[(GameVersion, Digest)], s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(pins.len()))?;
        for (v, d) in pins {
            m.serialize_entry(v, d)?;
        }
        m.end()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(GameVersion, Digest)>, D::Error> {
        let map = std::collections::HashMap::<GameVersion, Digest>::deserialize(d)?;
        let mut pins: Vec<_> = map.into_iter().collect();
        pins.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        Ok(pins)
    }
}

/// A format-2 catalog as written.
#[derive(Deserialize)]
struct RawDoc {
    format: u32,
    #[serde(default)]
    name: Option<String>,
    titles: Vec<RawEntry>,
}

impl Catalog {
    /// Parses and validates catalog JSON (format 1: a list of entries; format 2: an object with
    /// `format`, `name` and `titles`).
    pub fn from_json(bytes: &[u8]) -> Result<Self, CatalogError> {
        if bytes.len() > MAX_CATALOG_BYTES {
            return Err(CatalogError::TooLarge(bytes.len()));
        }
        let json_err = |e: serde_json::Error| CatalogError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        let object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let (format, name, raw) = if object {
            #[derive(Deserialize)]
            struct Format {
                format: u32,
            }
            let f: Format = serde_json::from_slice(bytes).map_err(json_err)?;
            if f.format > CATALOG_FORMAT {
                return Err(CatalogError::UnsupportedFormat(f.format));
            }
            let doc: RawDoc = serde_json::from_slice(bytes).map_err(json_err)?;
            (doc.format, doc.name, doc.titles)
        } else {
            let raw: Vec<RawEntry> = serde_json::from_slice(bytes).map_err(json_err)?;
            (1, None, raw)
        };
        if let Some(n) = &name {
            check_text(n, 1, 120).map_err(|problem| CatalogError::InvalidField {
                index: 0,
                id: String::new(),
                field: "name",
                problem,
            })?;
        }
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
            let mut pins = Vec::new();
            for (v, d) in r.pins.iter().flatten() {
                let version = GameVersion::new(v).map_err(|e| bad("pins", &format!("version {v:?}: {e}")))?;
                let digest: Digest = d.parse().map_err(|_| {
                    bad("pins", &format!("{v}: {d:?} is not a manifest digest (64 hex characters)"))
                })?;
                pins.push((version, digest));
            }
            if pins.len() > MAX_PINS_PER_TITLE {
                return Err(bad(
                    "pins",
                    &format!("has {} entries; at most {MAX_PINS_PER_TITLE}", pins.len()),
                ));
            }
            pins.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            if let Some(launch) = &r.launch {
                for spec in [&launch.windows, &launch.linux, &launch.macos].into_iter().flatten() {
                    if spec.args.len() > MAX_LAUNCH_ARGS {
                        return Err(bad("launch", &format!("at most {MAX_LAUNCH_ARGS} arguments")));
                    }
                    if let Some(a) =
                        spec.args.iter().find(|a| a.len() > 1024 || a.chars().any(char::is_control))
                    {
                        return Err(bad(
                            "launch",
                            &format!(
                                "argument {:?} is longer than 1024 bytes or holds a control character",
                                a
                            ),
                        ));
                    }
                }
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
                pins,
                launch: r.launch,
            });
        }
        Ok(Self { name, format, entries, by_id })
    }

    /// The catalog as format-2 JSON (what [`Catalog::from_json`] reads back).
    pub fn to_json(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Doc<'a> {
            format: u32,
            #[serde(skip_serializing_if = "Option::is_none")]
            name: Option<&'a str>,
            titles: &'a [CatalogEntry],
        }
        let doc = Doc { format: CATALOG_FORMAT, name: self.name(), titles: &self.entries };
        serde_json::to_vec_pretty(&doc).unwrap_or_default()
    }

    /// The name the organiser gave the catalog (format 2), if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The format the catalog was written in (1 or 2).
    pub fn format(&self) -> u32 {
        self.format
    }

    /// How many titles pin at least one version.
    pub fn pinned_titles(&self) -> usize {
        self.entries.iter().filter(|e| !e.pins.is_empty()).count()
    }

    /// The pinned manifest digest of `id` at `version`, if the catalog pins it.
    pub fn pin(&self, id: &GameId, version: &GameVersion) -> Option<Digest> {
        self.get(id).and_then(|e| e.pin(version))
    }

    /// The catalog compiled into this build.
    pub fn bundled() -> Self {
        match Self::from_json(BUNDLED_CATALOG_JSON.as_bytes()) {
            Ok(c) => c,
            // The bundled file is validated by this crate's tests; an empty catalog is the
            // safe fallback should a broken file ever be compiled in.
            Err(_) => Self::empty(),
        }
    }

    /// An empty catalog (serves nothing).
    pub fn empty() -> Self {
        Self { name: None, format: 1, entries: Vec::new(), by_id: HashMap::new() }
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
    fn format_two_carries_a_name_and_pins() {
        let d = "ab".repeat(32);
        let json = format!(
            r#"{{"format":2,"name":"Spring LAN 2027","titles":[{{"id":"quake3","name":"Q","description":"","genre":"FPS","max_players":16,"release_year":1999,"size_bytes":0,"art":null,"pins":{{"20250314":"{d}","1.32c":"{d}"}}}},{}]}}"#,
            entry("doom")
        );
        let c = Catalog::from_json(json.as_bytes()).unwrap();
        assert_eq!((c.format(), c.name(), c.pinned_titles()), (2, Some("Spring LAN 2027"), 1));
        let q3 = GameId::new("quake3").unwrap();
        let v = GameVersion::new("20250314").unwrap();
        assert_eq!(c.pin(&q3, &v), Some(d.parse().unwrap()));
        assert_eq!(c.pin(&q3, &GameVersion::new("2").unwrap()), None);
        assert_eq!(c.get(&q3).unwrap().pins.len(), 2);
        // Format 1 (a bare list) still loads, without name or pins.
        let old = Catalog::from_json(format!("[{}]", entry("doom")).as_bytes()).unwrap();
        assert_eq!((old.format(), old.name(), old.pinned_titles()), (1, None, 0));
    }

    #[test]
    fn bad_pins_and_newer_formats_are_refused_with_a_reason() {
        let with_pins = |pins: &str| {
            format!(
                r#"{{"format":2,"titles":[{{"id":"quake3","name":"Q","description":"","genre":"FPS","max_players":16,"release_year":1999,"size_bytes":0,"art":null,"pins":{pins}}}]}}"#
            )
        };
        let e = Catalog::from_json(with_pins(r#"{"1":"nothex"}"#).as_bytes()).unwrap_err();
        assert!(e.to_string().contains("not a manifest digest"), "{e}");
        let d = "ab".repeat(32);
        let e = Catalog::from_json(with_pins(&format!(r#"{{"../1":"{d}"}}"#)).as_bytes()).unwrap_err();
        assert!(e.to_string().contains("pins"), "{e}");
        let e = Catalog::from_json(br#"{"format":3,"titles":[]}"#).unwrap_err();
        assert_eq!(e, CatalogError::UnsupportedFormat(3));
        assert!(e.to_string().contains("update lanspread"), "{e}");
    }

    #[test]
    fn launch_entries_are_read_per_os_and_validated() {
        let with_launch = |launch: &str| {
            format!(
                r#"[{{"id":"quake3","name":"Q","description":"","genre":"FPS","max_players":16,"release_year":1999,"size_bytes":0,"art":null,"launch":{launch}}}]"#
            )
        };
        let ok = with_launch(
            r#"{"windows":{"exe":"quake3.exe","args":["+set","fs_game","baseq3"]},"linux":{"exe":"bin/quake3.x86_64"}}"#,
        );
        let c = Catalog::from_json(ok.as_bytes()).unwrap();
        let l = c.get_str("quake3").unwrap().launch.clone().unwrap();
        assert_eq!(l.windows.as_ref().unwrap().args, ["+set", "fs_game", "baseq3"]);
        assert_eq!(l.linux.as_ref().unwrap().exe.as_str(), "bin/quake3.x86_64");
        assert!(l.linux.as_ref().unwrap().args.is_empty());
        assert_eq!(l.macos, None);
        // It survives a round trip through the format-2 writer.
        let back = Catalog::from_json(&c.to_json()).unwrap();
        assert_eq!(back.get_str("quake3").unwrap().launch, Some(l));
        // Paths are checked like every payload path; arguments are bounded.
        for bad in [r#"{"linux":{"exe":"../../bin/sh"}}"#, r#"{"windows":{"exe":"C:/Windows/cmd.exe"}}"#] {
            let e = Catalog::from_json(with_launch(bad).as_bytes()).unwrap_err();
            assert!(e.to_string().contains("launch") || e.to_string().contains("path"), "{bad}: {e}");
        }
        let many = format!(r#"{{"linux":{{"exe":"a","args":[{}]}}}}"#, vec!["\"x\""; 65].join(","));
        assert!(
            Catalog::from_json(with_launch(&many).as_bytes()).unwrap_err().to_string().contains("at most 64")
        );
        let ctrl = r#"{"linux":{"exe":"a","args":["a\nb"]}}"#;
        assert!(Catalog::from_json(with_launch(ctrl).as_bytes()).is_err());
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
