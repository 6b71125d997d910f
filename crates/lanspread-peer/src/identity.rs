//! The state directory (locked, one process per identity) and the per-installation TLS
//! identity whose certificate fingerprint is the peer id.
//!
//! Layout:
//! ```text
//! <state_dir>/lock              OS file lock held while a runtime runs; holds the pid
//! <state_dir>/identity/cert.der self-signed certificate (generated on first start)
//! <state_dir>/identity/key.der  its PKCS#8 private key (mode 0600 on Unix)
//! <state_dir>/index/…           hash cache and scan index (see `library::index`)
//! ```

use std::{
    fs::{self, File, OpenOptions},
    io::{Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
};

use lanspread_proto::PeerId;
use sha2::{Digest as _, Sha256};

use crate::{error::StartError, platform};

/// The default state directory: `$XDG_DATA_HOME/lanspread`, else `$HOME/.local/share/lanspread`;
/// on Windows `%LOCALAPPDATA%\lanspread` (machine-local: a roaming profile never carries the
/// peer's key or download state to another PC).
pub fn default_state_dir() -> PathBuf {
    #[cfg(not(windows))]
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("lanspread");
    }
    dirs::data_local_dir().unwrap_or_else(|| PathBuf::from(".")).join("lanspread")
}

/// An exclusive lock on a state directory, released when dropped (or when the process dies:
/// it is an OS lock, so `kill -9` never leaves it stuck).
#[derive(Debug)]
pub struct StateDirLock {
    _file: File,
    path: PathBuf,
}

impl StateDirLock {
    /// Creates the directory if needed and takes its lock.
    pub fn acquire(state_dir: &Path) -> Result<Self, StartError> {
        let io = |error| StartError::StateDir { path: state_dir.to_path_buf(), error };
        fs::create_dir_all(state_dir).map_err(io)?;
        let lock_path = state_dir.join("lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = pid.trim().to_string();
                return Err(StartError::StateDirLocked {
                    path: state_dir.to_path_buf(),
                    pid: if pid.is_empty() { "unknown".into() } else { pid },
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        let _ = file.sync_all();
        Ok(Self { _file: file, path: state_dir.to_path_buf() })
    }

    /// The locked directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// This installation's TLS identity.
#[derive(Clone)]
pub struct Identity {
    /// DER certificate.
    pub cert_der: Vec<u8>,
    /// PKCS#8 DER private key.
    pub key_der: Vec<u8>,
    /// SHA-256 of `cert_der`.
    pub peer_id: PeerId,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("peer_id", &self.peer_id).finish_non_exhaustive()
    }
}

/// The peer id of a DER certificate: its SHA-256 fingerprint.
pub fn fingerprint(cert_der: &[u8]) -> PeerId {
    PeerId(Sha256::digest(cert_der).into())
}

impl Identity {
    /// Loads the identity from `<state_dir>/identity`, generating it on first start. A damaged
    /// identity is replaced by a new one (the peer id changes; a warning is logged).
    pub fn load_or_create(state_dir: &Path) -> Result<Self, StartError> {
        let dir = state_dir.join("identity");
        let cert_path = dir.join("cert.der");
        let key_path = dir.join("key.der");
        if cert_path.exists() || key_path.exists() {
            match (fs::read(&cert_path), fs::read(&key_path)) {
                (Ok(cert_der), Ok(key_der)) if Self::valid_pair(&cert_der, &key_der) => {
                    let peer_id = fingerprint(&cert_der);
                    return Ok(Self { cert_der, key_der, peer_id });
                }
                _ => tracing::warn!(
                    dir = %dir.display(),
                    "TLS identity is damaged or incomplete; generating a new one (this peer gets a new id)"
                ),
            }
        }
        let id = Self::generate()?;
        let io = |error| StartError::StateDir { path: dir.clone(), error };
        fs::create_dir_all(&dir).map_err(io)?;
        platform::write_private_file(&key_path, &id.key_der).map_err(io)?;
        platform::write_atomic(&cert_path, &id.cert_der).map_err(io)?;
        tracing::info!(peer = %id.peer_id.short(), "generated a new TLS identity");
        Ok(id)
    }

    /// A fresh in-memory identity (tests, ephemeral peers).
    pub fn generate() -> Result<Self, StartError> {
        let certified = rcgen::generate_simple_self_signed(vec!["lanspread.local".to_string()])
            .map_err(|e| StartError::Identity(e.to_string()))?;
        let cert_der = certified.cert.der().to_vec();
        let key_der = certified.signing_key.serialize_der();
        let peer_id = fingerprint(&cert_der);
        Ok(Self { cert_der, key_der, peer_id })
    }

    fn valid_pair(cert_der: &[u8], key_der: &[u8]) -> bool {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_der.to_vec()));
        let Ok(signing) = rustls::crypto::aws_lc_rs::sign::any_supported_type(&key) else {
            return false;
        };
        let certified =
            rustls::sign::CertifiedKey::new(vec![CertificateDer::from(cert_der.to_vec())], signing);
        certified.keys_match().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Windows programs keep machine-local data under `%LOCALAPPDATA%`.
    #[cfg(windows)]
    #[test]
    fn the_default_state_dir_is_in_local_app_data() {
        let local = std::env::var_os("LOCALAPPDATA").expect("Windows sets LOCALAPPDATA");
        assert_eq!(default_state_dir(), PathBuf::from(local).join("lanspread"));
    }

    #[test]
    fn identity_persists_and_peer_id_is_the_cert_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let a = Identity::load_or_create(dir.path()).unwrap();
        let b = Identity::load_or_create(dir.path()).unwrap();
        assert_eq!(a.peer_id, b.peer_id);
        assert_eq!(a.peer_id, fingerprint(&a.cert_der));
        let other = Identity::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        assert_ne!(a.peer_id, other.peer_id, "each installation has its own key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("identity/key.der")).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "private key must not be readable by others");
        }
    }

    #[test]
    fn damaged_identity_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let a = Identity::load_or_create(dir.path()).unwrap();
        fs::write(dir.path().join("identity/key.der"), b"garbage").unwrap();
        let b = Identity::load_or_create(dir.path()).unwrap();
        assert_ne!(a.peer_id, b.peer_id);
        assert_eq!(Identity::load_or_create(dir.path()).unwrap().peer_id, b.peer_id);
    }

    #[test]
    fn second_lock_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let _held = StateDirLock::acquire(dir.path()).unwrap();
        let err = StateDirLock::acquire(dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&std::process::id().to_string()), "{msg}");
        assert!(msg.contains("--state-dir"), "{msg}");
        drop(_held);
        StateDirLock::acquire(dir.path()).unwrap();
    }
}
