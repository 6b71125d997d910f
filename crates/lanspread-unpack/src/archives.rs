//! Finding the archives of a game root (the install mapping of the design contract).
//!
//! - Only regular files directly in the root count; links, directories and reserved names
//!   (`local`, `.lanspread*`, `.local.*`, `.version.ini.*`) are ignored, and links are never
//!   followed.
//! - `x.partN.rar` files (any number of digits) form one set, opened at the lowest part number.
//! - `x.rar` with `x.r00`, `x.r01`, … `x.r99`, `x.s00`, … forms one old-style set opened at
//!   `x.rar`. Old-style volumes without their `x.rar` still form a set, so extraction reports
//!   the missing first volume instead of the game silently installing without it.
//! - Names are grouped case-insensitively (Windows file names are), and sets are returned in
//!   name order of their first volume.

use std::{
    collections::BTreeMap,
    fs, io,
    path::{Path, PathBuf},
};

use lanspread_proto::is_reserved_root_name;

use crate::ArchiveSet;

/// How a file name takes part in a set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SetKey {
    /// `base.partN.rar`.
    Parts(String),
    /// `base.rar`, `base.r00`, ….
    OldStyle(String),
}

/// Classifies a file name: its set and its position in the set.
fn classify(name: &str) -> Option<(SetKey, u32)> {
    let lower = name.to_lowercase();
    if let Some(stem) = lower.strip_suffix(".rar") {
        if let Some(pos) = stem.rfind(".part") {
            let digits = &stem[pos + 5..];
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                let number = digits.parse::<u32>().unwrap_or(u32::MAX);
                return Some((SetKey::Parts(stem[..pos].to_string()), number));
            }
        }
        return Some((SetKey::OldStyle(stem.to_string()), 0));
    }
    let bytes = lower.as_bytes();
    let n = bytes.len();
    if n > 4
        && bytes[n - 4] == b'.'
        && (b'r'..=b'z').contains(&bytes[n - 3])
        && bytes[n - 2].is_ascii_digit()
        && bytes[n - 1].is_ascii_digit()
    {
        let letter = u32::from(bytes[n - 3] - b'r');
        let number = u32::from(bytes[n - 2] - b'0') * 10 + u32::from(bytes[n - 1] - b'0');
        return Some((SetKey::OldStyle(lower[..n - 4].to_string()), letter * 100 + number + 1));
    }
    None
}

/// The top-level archives of `root` in name order, multi-volume sets grouped.
pub fn find_archives(root: &Path) -> io::Result<Vec<ArchiveSet>> {
    let mut groups: BTreeMap<SetKey, Vec<(u32, String, PathBuf)>> = BTreeMap::new();
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if is_reserved_root_name(&name) {
            continue;
        }
        // `DirEntry::file_type` does not follow links.
        if !entry.file_type()?.is_file() {
            continue;
        }
        if let Some((key, number)) = classify(&name) {
            groups.entry(key).or_default().push((number, name.into_owned(), entry.path()));
        }
    }
    let mut sets: Vec<(String, String, ArchiveSet)> = groups
        .into_values()
        .filter_map(|mut members| {
            members.sort();
            let (_, first_name, first_volume) = members.first()?.clone();
            let volumes = members.into_iter().map(|(_, _, path)| path).collect();
            Some((first_name.to_lowercase(), first_name, ArchiveSet { first_volume, volumes }))
        })
        .collect();
    sets.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(sets.into_iter().map(|(_, _, set)| set).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sets: &[ArchiveSet]) -> Vec<Vec<String>> {
        sets.iter()
            .map(|s| {
                s.volumes.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect()
            })
            .collect()
    }

    fn touch(root: &Path, names: &[&str]) {
        for name in names {
            fs::write(root.join(name), b"x").unwrap();
        }
    }

    #[test]
    fn classifies_volume_names() {
        assert_eq!(classify("game.rar"), Some((SetKey::OldStyle("game".into()), 0)));
        assert_eq!(classify("Game.R00"), Some((SetKey::OldStyle("game".into()), 1)));
        assert_eq!(classify("game.r99"), Some((SetKey::OldStyle("game".into()), 100)));
        assert_eq!(classify("game.s00"), Some((SetKey::OldStyle("game".into()), 101)));
        assert_eq!(classify("game.part01.rar"), Some((SetKey::Parts("game".into()), 1)));
        assert_eq!(classify("game.part1.rar"), Some((SetKey::Parts("game".into()), 1)));
        assert_eq!(classify("game.part.rar"), Some((SetKey::OldStyle("game.part".into()), 0)));
        assert_eq!(classify("readme.nfo"), None);
        assert_eq!(classify("data.r0"), None);
        assert_eq!(classify(".r00"), None);
    }

    #[test]
    fn groups_sets_and_orders_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(
            root,
            &[
                "zz.rar",
                "game.part10.rar",
                "game.part02.rar",
                "game.part01.rar",
                "game.part09.rar",
                "Old.rar",
                "old.r01",
                "old.r00",
                "readme.nfo",
                "version.ini",
                ".lanspread.rar",
                ".local.x.rar",
                "a.r00",
            ],
        );
        fs::create_dir(root.join("local")).unwrap();
        fs::create_dir(root.join("dir.rar")).unwrap();
        let sets = find_archives(root).unwrap();
        assert_eq!(
            names(&sets),
            vec![
                vec!["a.r00".to_string()],
                vec![
                    "game.part01.rar".into(),
                    "game.part02.rar".into(),
                    "game.part09.rar".into(),
                    "game.part10.rar".into()
                ],
                vec!["Old.rar".into(), "old.r00".into(), "old.r01".into()],
                vec!["zz.rar".into()],
            ]
        );
        assert_eq!(sets[1].first_volume, root.join("game.part01.rar"));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("real.rar"), b"x").unwrap();
        std::os::unix::fs::symlink(outside.path().join("real.rar"), dir.path().join("link.rar")).unwrap();
        assert!(find_archives(dir.path()).unwrap().is_empty());
    }
}
