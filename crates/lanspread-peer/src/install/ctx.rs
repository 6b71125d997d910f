//! What every transaction step needs: the paths of a root, error helpers, and the test-only
//! crash hook that stops a transaction dead at a chosen step, as a power cut would.

use std::{
    io,
    path::{Path, PathBuf},
};

use super::{BACKUP, InstallError, LOCAL, REMOVING, STAGING, platform};

/// The names inside one game root.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    pub(crate) root: PathBuf,
    pub(crate) local: PathBuf,
    pub(crate) staging: PathBuf,
    pub(crate) backup: PathBuf,
    pub(crate) removing: PathBuf,
}

impl Paths {
    pub(crate) fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            local: root.join(LOCAL),
            staging: root.join(STAGING),
            backup: root.join(BACKUP),
            removing: root.join(REMOVING),
        }
    }
}

/// Why a step stopped.
#[derive(Debug)]
pub(crate) enum Fail {
    /// A real error: the caller undoes what the transaction did.
    Error(InstallError),
    /// An injected crash (tests only): stop at once and leave the disk as it is.
    Crash,
}

impl From<InstallError> for Fail {
    fn from(e: InstallError) -> Self {
        Self::Error(e)
    }
}

impl From<lanspread_unpack::UnpackError> for Fail {
    fn from(e: lanspread_unpack::UnpackError) -> Self {
        Self::Error(e.into())
    }
}

/// `InstallError::Io` for `op` on `path`.
pub(crate) fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> Fail + 'a {
    move |error| Fail::Error(InstallError::Io { op, path: path.to_path_buf(), error })
}

/// Decides at each named step whether to "crash" there (tests only).
pub(crate) type CrashHook<'h> = &'h mut dyn FnMut(&'static str) -> bool;

/// The environment of one transaction.
pub(crate) struct Ctx<'h> {
    pub(crate) paths: Paths,
    hook: Option<CrashHook<'h>>,
    /// Free space of a directory (replaced in tests).
    pub(crate) free_space: fn(&Path) -> io::Result<u64>,
    /// Set once the hook fired inside a callback that cannot return an error.
    pub(crate) crashed: bool,
}

impl<'h> Ctx<'h> {
    /// The production environment: no hook, real free space.
    pub(crate) fn new(root: &Path) -> Self {
        Self { paths: Paths::new(root), hook: None, free_space: platform::available_space, crashed: false }
    }

    /// An environment that crashes wherever `hook` says so.
    #[cfg(test)]
    pub(crate) fn with_hook(root: &Path, hook: CrashHook<'h>) -> Self {
        Self { hook: Some(hook), ..Self::new(root) }
    }

    /// Whether a crash hook is installed.
    pub(crate) fn hooked(&self) -> bool {
        self.hook.is_some()
    }

    /// A step boundary: with a hook, this is where a crash can be injected.
    pub(crate) fn point(&mut self, step: &'static str) -> Result<(), Fail> {
        if self.crashed {
            return Err(Fail::Crash);
        }
        if let Some(hook) = self.hook.as_mut()
            && hook(step)
        {
            self.crashed = true;
            return Err(Fail::Crash);
        }
        Ok(())
    }
}
