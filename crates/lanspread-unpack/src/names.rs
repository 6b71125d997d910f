//! Validation of archive entry names and link targets, before anything is written.
//!
//! An entry name becomes an [`EntryPath`]: a list of plain components that is joined under the
//! target directory. Anything that could leave the target, or that Windows would resolve to a
//! different file, is refused:
//! - absolute names (`/x`, `\x`), drive letters and NTFS streams (any `:`), `..` components;
//! - Windows device names (`CON`, `nul.txt`, `COM1`…) and components ending in `.` or space
//!   (Windows strips those, so `a.` would alias `a`).
//!
//! Both `/` and `\` separate components, whatever the platform: UnRAR reports native separators,
//! and a literal backslash in a Unix file name is not worth the ambiguity.
//!
//! Symbolic-link targets must be relative and may start with `..` components only (at most as
//! many as the link has parent directories); after the first plain component no `..` may follow.
//! Because extraction never writes through a link (see `fsx`), every link then resolves inside
//! the target: the leading `..`s climb real directories, and the rest only descends, through
//! real directories or links that are themselves inside by the same rule.

#[cfg(test)]
use std::path::{Path, PathBuf};

/// Why a name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameProblem {
    /// It would land outside the target directory.
    Escapes(&'static str),
    /// It stays inside but cannot be written portably.
    Invalid(&'static str),
}

/// A validated relative entry path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct EntryPath {
    parts: Vec<String>,
}

impl EntryPath {
    /// Validates an entry name as reported by UnRAR.
    pub(crate) fn parse(raw: &str) -> Result<Self, NameProblem> {
        if raw.is_empty() {
            return Err(NameProblem::Invalid("the name is empty"));
        }
        if raw.contains('\0') {
            return Err(NameProblem::Invalid("the name contains a NUL character"));
        }
        if raw.starts_with(['/', '\\']) {
            return Err(NameProblem::Escapes("the name is an absolute path"));
        }
        if raw.contains(':') {
            return Err(NameProblem::Escapes("the name contains ':' (a drive letter or an NTFS stream)"));
        }
        let mut parts = Vec::new();
        for part in raw.split(['/', '\\']) {
            match part {
                "" | "." => continue,
                ".." => return Err(NameProblem::Escapes("the name contains a '..' component")),
                part => {
                    check_component(part)?;
                    parts.push(part.to_string());
                }
            }
        }
        if parts.is_empty() {
            return Err(NameProblem::Invalid("the name has no components"));
        }
        Ok(Self { parts })
    }

    /// The path below `root`.
    #[cfg(test)]
    pub(crate) fn under(&self, root: &Path) -> PathBuf {
        let mut path = root.to_path_buf();
        path.extend(&self.parts);
        path
    }

    /// The components.
    pub(crate) fn parts(&self) -> &[String] {
        &self.parts
    }

    /// `/`-separated form, for listings and messages.
    pub(crate) fn to_slash_string(&self) -> String {
        self.parts.join("/")
    }
}

fn check_component(part: &str) -> Result<(), NameProblem> {
    if part.ends_with(['.', ' ']) {
        return Err(NameProblem::Invalid("a component ends with '.' or a space, which Windows strips"));
    }
    if is_windows_device_name(part) {
        return Err(NameProblem::Invalid("a component is a Windows device name (CON, NUL, COM1, ...)"));
    }
    Ok(())
}

fn is_windows_device_name(part: &str) -> bool {
    let stem = part.split('.').next().unwrap_or(part).trim_end();
    let upper = stem.to_ascii_uppercase();
    matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit()
            && upper.as_bytes()[3] != b'0')
}

/// Checks a symbolic link's target (see the module docs) and returns it `/`-separated,
/// without `.` or empty components.
pub(crate) fn check_symlink_target(link: &EntryPath, target: &str) -> Result<String, NameProblem> {
    if target.is_empty() {
        return Err(NameProblem::Invalid("the link target is empty"));
    }
    if target.contains('\0') {
        return Err(NameProblem::Invalid("the link target contains a NUL character"));
    }
    if target.starts_with(['/', '\\']) || target.contains(':') {
        return Err(NameProblem::Escapes("the link target is an absolute path"));
    }
    let mut up_allowed = link.parts.len() - 1;
    let mut descended = false;
    let mut out = Vec::new();
    for part in target.split(['/', '\\']) {
        match part {
            "" | "." => continue,
            ".." if descended => {
                return Err(NameProblem::Escapes("the link target has '..' after a directory name"));
            }
            ".." => {
                if up_allowed == 0 {
                    return Err(NameProblem::Escapes("the link target climbs above the install directory"));
                }
                up_allowed -= 1;
                out.push("..");
            }
            part => {
                check_component(part)?;
                descended = true;
                out.push(part);
            }
        }
    }
    if out.is_empty() {
        return Err(NameProblem::Invalid("the link points at its own directory"));
    }
    Ok(out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(raw: &str) -> String {
        EntryPath::parse(raw).unwrap().to_slash_string()
    }

    #[test]
    fn plain_names_are_normalized() {
        assert_eq!(ok("bin/game.exe"), "bin/game.exe");
        assert_eq!(ok("bin\\game.exe"), "bin/game.exe");
        assert_eq!(ok("./a//b/"), "a/b");
        assert_eq!(ok("Datei ä.txt"), "Datei ä.txt");
        assert_eq!(ok("...hidden"), "...hidden");
    }

    #[test]
    fn escaping_names_are_refused() {
        for raw in [
            "../x",
            "a/../../x",
            "a/..",
            "/etc/passwd",
            "\\windows\\x",
            "C:\\x",
            "C:x",
            "file.txt:stream",
            "a\\..\\b",
        ] {
            assert!(matches!(EntryPath::parse(raw), Err(NameProblem::Escapes(_))), "{raw:?} accepted");
        }
    }

    #[test]
    fn unportable_names_are_refused() {
        for raw in ["", ".", "./", "con", "a/NUL.txt", "com1", "LPT9.log", "a./b", "b ", "x\0y"] {
            assert!(matches!(EntryPath::parse(raw), Err(NameProblem::Invalid(_))), "{raw:?} accepted");
        }
        assert!(EntryPath::parse("com0").is_ok());
        assert!(EntryPath::parse("console.txt").is_ok());
    }

    #[test]
    fn symlink_targets() {
        let link = EntryPath::parse("a/b/link").unwrap();
        assert_eq!(check_symlink_target(&link, "../../x/y").unwrap(), "../../x/y");
        assert_eq!(check_symlink_target(&link, "./lib.so").unwrap(), "lib.so");
        assert_eq!(check_symlink_target(&link, "..").unwrap(), "..");
        for bad in ["../../../x", "x/../..", "x/../y", "/abs", "C:\\x", "\\\\server\\x", ""] {
            assert!(check_symlink_target(&link, bad).is_err(), "{bad:?} accepted");
        }
        let top = EntryPath::parse("link").unwrap();
        assert!(check_symlink_target(&top, "..").is_err());
        assert!(check_symlink_target(&top, ".").is_err());
        assert_eq!(check_symlink_target(&top, "sub/file").unwrap(), "sub/file");
    }

    proptest! {
        /// Whatever the name, an accepted path has only plain components, so joining it
        /// under a root never leaves the root.
        #[test]
        fn accepted_names_stay_under_the_root(raw in "[a-zA-Z0-9./\\\\: ]{0,24}") {
            if let Ok(path) = EntryPath::parse(&raw) {
                let root = Path::new("/target");
                let joined = path.under(root);
                prop_assert!(joined.starts_with(root));
                for part in path.parts() {
                    prop_assert!(part != ".." && part != "." && !part.is_empty());
                    prop_assert!(!part.contains(['/', '\\', ':']));
                }
            }
        }

        /// An accepted link target, resolved lexically from the link's directory, stays
        /// inside the root.
        #[test]
        fn accepted_link_targets_stay_inside(
            link in "[ab]{1,2}(/[ab]{1,2}){0,3}",
            target in "(\\.\\./){0,4}[ab./]{0,10}",
        ) {
            let link = EntryPath::parse(&link).unwrap();
            if let Ok(t) = check_symlink_target(&link, &target) {
                let mut stack: Vec<&str> =
                    link.parts()[..link.parts().len() - 1].iter().map(String::as_str).collect();
                for part in t.split('/') {
                    if part == ".." {
                        prop_assert!(stack.pop().is_some());
                    } else {
                        stack.push(part);
                    }
                }
            }
        }
    }
}
