//! Where the app keeps things, and the settings it remembers across restarts.
//!
//! - `settings.json` in the app's config directory (atomic write: tmp, fsync, rename, fsync
//!   dir) holds the chosen game directory, an optional catalog file, the display name and
//!   whether games install right after downloading.
//! - Environment overrides for tests and demos: `LANSPREAD_GAME_DIR`, `LANSPREAD_STATE_DIR`,
//!   `LANSPREAD_CONFIG_DIR`, `LANSPREAD_BIND` (limit QUIC and mDNS to one address, e.g.
//!   `127.0.0.1`). `LANSPREAD_GAME_DIR` wins over the saved choice at start-up; a directory
//!   chosen in the UI is still saved.

use std::{
    io::Write,
    net::IpAddr,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

use crate::error::{AppError, ErrorKind};

/// Name of the settings file inside the config directory.
pub const SETTINGS_FILE: &str = "settings.json";

/// What the app remembers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The game directory the player chose (`None`: never chosen, the default is used).
    pub game_dir: Option<PathBuf>,
    /// A catalog JSON file replacing the bundled catalog.
    pub catalog: Option<PathBuf>,
    /// Display name other peers see (`None`: the host name).
    pub peer_name: Option<String>,
    /// Install a game right after its download finishes.
    pub auto_install: bool,
    /// Closing the window keeps the peer running in the tray (where there is one).
    pub keep_sharing: bool,
    /// The first close to the tray has been explained to the player.
    pub close_explained: bool,
    /// Upload cap in Mbit/s (`None`: no cap).
    pub upload_limit_mbit: Option<u32>,
    /// Download cap in Mbit/s (`None`: no cap).
    pub download_limit_mbit: Option<u32>,
    /// Addresses added by hand (`HOST:PORT`), dialled at every start.
    pub known_peers: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            game_dir: None,
            catalog: None,
            peer_name: None,
            auto_install: true,
            keep_sharing: true,
            close_explained: false,
            upload_limit_mbit: None,
            download_limit_mbit: None,
            known_peers: Vec::new(),
        }
    }
}

/// Most addresses the player can add by hand.
pub const MAX_TYPED_PEERS: usize = 16;

/// Reads a typed peer address: `HOST` or `HOST:PORT` (a name or an IP; `[v6]:port` for
/// IPv6; the port defaults to lanspread's). Returns the normalized text and the address it
/// resolves to (IPv4 preferred).
pub fn parse_peer_address(text: &str) -> Result<(String, std::net::SocketAddr), AppError> {
    use std::net::ToSocketAddrs;
    let t = text.trim();
    let bad = |why: &str| {
        AppError::new(
            ErrorKind::InvalidInput,
            format!(
                "{t:?} is not a peer address ({why}); type it as shown in that machine's Peers panel, e.g. 192.168.1.20:41800"
            ),
        )
    };
    if t.is_empty() || t.len() > 255 || t.contains(char::is_whitespace) {
        return Err(bad("empty, too long or with spaces"));
    }
    let with_port = match t.rsplit_once(':') {
        // `host:port`, `[v6]:port`; a bare IPv6 address has more colons and no brackets.
        Some((host, port)) if !host.contains(':') || host.starts_with('[') => {
            let port: u16 = port.parse().map_err(|_| bad("the port is not a number from 1 to 65535"))?;
            if port == 0 {
                return Err(bad("the port must not be 0"));
            }
            t.to_string()
        }
        _ if t.parse::<std::net::Ipv6Addr>().is_ok() => format!("[{t}]:{}", lanspread_peer::DEFAULT_PORT),
        _ => format!("{t}:{}", lanspread_peer::DEFAULT_PORT),
    };
    let addrs: Vec<std::net::SocketAddr> =
        with_port.to_socket_addrs().map_err(|e| bad(&format!("cannot resolve it: {e}")))?.collect();
    let addr =
        addrs.iter().find(|a| a.is_ipv4()).or(addrs.first()).copied().ok_or_else(|| bad("no address"))?;
    Ok((with_port, addr))
}

/// A cap in Mbit/s as bytes per second.
pub fn mbit_to_bytes(mbit: Option<u32>) -> Option<u64> {
    mbit.filter(|m| *m > 0).map(|m| u64::from(m) * 1_000_000 / 8)
}

impl Settings {
    /// Reads `settings.json`; a missing file gives the defaults. A damaged file is reported
    /// (the caller logs it) and the defaults are used, so the app still starts.
    pub fn load(config_dir: &Path) -> (Self, Option<AppError>) {
        let path = config_dir.join(SETTINGS_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(s) => (s, None),
                Err(e) => (
                    Self::default(),
                    Some(AppError::new(
                        ErrorKind::Config,
                        format!("the settings file {} is damaged ({e}); using defaults", path.display()),
                    )),
                ),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Self::default(), None),
            Err(e) => (
                Self::default(),
                Some(AppError::new(
                    ErrorKind::Config,
                    format!("cannot read the settings file {}: {e}; using defaults", path.display()),
                )),
            ),
        }
    }

    /// Writes `settings.json` atomically.
    pub fn save(&self, config_dir: &Path) -> Result<(), AppError> {
        let err = |what: &str, e: std::io::Error| {
            AppError::new(
                ErrorKind::Config,
                format!("cannot save settings in {} ({what}: {e})", config_dir.display()),
            )
        };
        std::fs::create_dir_all(config_dir).map_err(|e| err("create directory", e))?;
        let tmp = config_dir.join(format!(".{SETTINGS_FILE}.tmp"));
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| AppError::new(ErrorKind::Internal, format!("cannot encode settings: {e}")))?;
        {
            let mut f = std::fs::File::create(&tmp).map_err(|e| err("create", e))?;
            f.write_all(&bytes).map_err(|e| err("write", e))?;
            f.sync_all().map_err(|e| err("sync", e))?;
        }
        std::fs::rename(&tmp, config_dir.join(SETTINGS_FILE)).map_err(|e| err("rename", e))?;
        sync_dir(config_dir);
        Ok(())
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {
    // Windows cannot open a directory as a file; NTFS journals the rename.
}

/// Where things live, resolved once at start-up (platform directories plus env overrides).
#[derive(Debug, Clone)]
pub struct AppPaths {
    /// Holds `settings.json`.
    pub config_dir: PathBuf,
    /// The peer's state directory (identity key, hash index); locked while running.
    pub state_dir: PathBuf,
    /// The game directory used when the player never chose one.
    pub default_game_dir: PathBuf,
    /// `LANSPREAD_GAME_DIR`: wins over the saved choice at start-up.
    pub game_dir_override: Option<PathBuf>,
    /// `LANSPREAD_BIND`: limit QUIC and mDNS to this address.
    pub bind: Option<IpAddr>,
}

impl AppPaths {
    /// Resolves the paths from the environment, falling back to the given platform
    /// directories (Tauri's app config and data directories).
    pub fn from_env(platform_config: PathBuf, platform_data: PathBuf) -> Result<Self, AppError> {
        let env_path = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let bind = match std::env::var("LANSPREAD_BIND") {
            Ok(v) if !v.trim().is_empty() => Some(v.trim().parse::<IpAddr>().map_err(|_| {
                AppError::new(
                    ErrorKind::InvalidInput,
                    format!("LANSPREAD_BIND={v:?} is not an IP address (for example 127.0.0.1)"),
                )
            })?),
            _ => None,
        };
        Ok(Self {
            config_dir: env_path("LANSPREAD_CONFIG_DIR").unwrap_or(platform_config),
            state_dir: env_path("LANSPREAD_STATE_DIR").unwrap_or_else(|| platform_data.join("peer")),
            default_game_dir: default_game_dir(),
            game_dir_override: env_path("LANSPREAD_GAME_DIR"),
            bind,
        })
    }
}

/// `~/Games/lanspread` (the home directory from the platform; `.` if there is none).
pub fn default_game_dir() -> PathBuf {
    dirs::home_dir().unwrap_or_else(|| PathBuf::from(".")).join("Games").join("lanspread")
}

/// Which game directory to use at start-up and whether it may be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirChoice {
    /// The directory.
    pub path: PathBuf,
    /// Create it if missing: the default directory and an env override are created; a
    /// directory the player chose is not (a missing one, e.g. an unplugged drive, is shown).
    pub create: bool,
    /// It is the default directory (the player never chose one).
    pub is_default: bool,
}

/// Picks the game directory: env override, else the saved choice, else the default.
pub fn choose_game_dir(paths: &AppPaths, settings: &Settings) -> DirChoice {
    if let Some(p) = &paths.game_dir_override {
        return DirChoice { path: p.clone(), create: true, is_default: false };
    }
    match &settings.game_dir {
        Some(p) => DirChoice { path: p.clone(), create: false, is_default: false },
        None => DirChoice { path: paths.default_game_dir.clone(), create: true, is_default: true },
    }
}

/// Checks that `path` is a usable game directory: it exists (or, with `create`, can be
/// created), is a directory, and a file can be written in it. Returns the absolute path.
pub fn check_game_dir(path: &Path, create: bool) -> Result<PathBuf, AppError> {
    let shown = path.display();
    let problem = |msg: String| AppError::new(ErrorKind::GameDir, msg);
    if path.as_os_str().is_empty() {
        return Err(problem("no game directory was given; choose a folder".into()));
    }
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    match std::fs::metadata(&path) {
        Ok(m) if !m.is_dir() => {
            return Err(problem(format!("{shown} is a file, not a folder; choose a folder for your games")));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !create {
                return Err(problem(format!(
                    "the game folder {shown} is missing (was a drive unplugged?); create it again or choose another folder"
                )));
            }
            std::fs::create_dir_all(&path).map_err(|e| {
                problem(format!("the game folder {shown} cannot be created ({e}); choose another folder"))
            })?;
        }
        Err(e) => return Err(problem(format!("the game folder {shown} cannot be opened ({e})"))),
    }
    let probe = path.join(format!(".lanspread-write-test-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
        }
        Err(e) => {
            return Err(problem(format!(
                "lanspread cannot write in the game folder {shown} ({e}); fix its permissions or choose another folder"
            )));
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(tmp: &Path) -> AppPaths {
        AppPaths {
            config_dir: tmp.join("config"),
            state_dir: tmp.join("state"),
            default_game_dir: tmp.join("home/Games/lanspread"),
            game_dir_override: None,
            bind: None,
        }
    }

    #[test]
    fn settings_round_trip_and_missing_file_gives_defaults() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cfg");
        let (s, err) = Settings::load(&dir);
        assert_eq!(s, Settings::default());
        assert!(err.is_none());
        let s = Settings {
            game_dir: Some(tmp.path().join("games")),
            catalog: None,
            peer_name: Some("lan-box".into()),
            auto_install: false,
            keep_sharing: false,
            close_explained: true,
            upload_limit_mbit: Some(50),
            download_limit_mbit: None,
            known_peers: vec!["10.0.0.5:41800".into()],
        };
        s.save(&dir).unwrap();
        assert_eq!(Settings::load(&dir).0, s);
        assert!(!dir.join(".settings.json.tmp").exists());
    }

    #[test]
    fn settings_from_before_the_tray_load_with_sharing_kept_and_no_caps() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(SETTINGS_FILE), br#"{"game_dir":null,"auto_install":false}"#).unwrap();
        let (s, err) = Settings::load(tmp.path());
        assert!(err.is_none());
        assert!(!s.auto_install && s.keep_sharing && !s.close_explained);
        assert_eq!((s.upload_limit_mbit, s.download_limit_mbit), (None, None));
        assert_eq!(mbit_to_bytes(Some(80)), Some(10_000_000));
        assert_eq!(mbit_to_bytes(Some(0)), None);
    }

    #[test]
    fn typed_peer_addresses_get_the_default_port_and_bad_ones_say_why() {
        let (text, addr) = parse_peer_address(" 192.168.1.20 ").unwrap();
        assert_eq!((text.as_str(), addr.to_string().as_str()), ("192.168.1.20:41800", "192.168.1.20:41800"));
        let (_, addr) = parse_peer_address("10.0.0.7:4000").unwrap();
        assert_eq!(addr.to_string(), "10.0.0.7:4000");
        let (text, addr) = parse_peer_address("fe80::1").unwrap();
        assert_eq!((text.as_str(), addr.port()), ("[fe80::1]:41800", 41_800));
        let (_, addr) = parse_peer_address("localhost:5000").unwrap();
        assert_eq!(addr.port(), 5000);
        for bad in ["", "10.0.0.7:0", "10.0.0.7:port", "10.0.0.7:99999", "two words", "no-such-host.invalid"]
        {
            let e = parse_peer_address(bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidInput, "{bad}");
            assert!(e.message.contains("not a peer address"), "{}", e.message);
        }
    }

    #[test]
    fn damaged_settings_fall_back_to_defaults_with_a_message() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(SETTINGS_FILE), b"{not json").unwrap();
        let (s, err) = Settings::load(tmp.path());
        assert_eq!(s, Settings::default());
        let err = err.unwrap();
        assert_eq!(err.kind, ErrorKind::Config);
        assert!(err.message.contains("damaged"), "{}", err.message);
    }

    #[test]
    fn game_dir_choice_prefers_override_then_saved_then_default() {
        let tmp = tempfile::tempdir().unwrap();
        let mut p = paths(tmp.path());
        let mut s = Settings::default();
        let c = choose_game_dir(&p, &s);
        assert_eq!(c, DirChoice { path: p.default_game_dir.clone(), create: true, is_default: true });
        s.game_dir = Some(tmp.path().join("chosen"));
        let c = choose_game_dir(&p, &s);
        assert_eq!(c, DirChoice { path: tmp.path().join("chosen"), create: false, is_default: false });
        p.game_dir_override = Some(tmp.path().join("env"));
        assert_eq!(choose_game_dir(&p, &s).path, tmp.path().join("env"));
        assert!(choose_game_dir(&p, &s).create);
    }

    #[test]
    fn check_game_dir_creates_only_when_allowed_and_refuses_files() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("a/b");
        let e = check_game_dir(&missing, false).unwrap_err();
        assert_eq!(e.kind, ErrorKind::GameDir);
        assert!(e.message.contains("missing"), "{}", e.message);
        assert!(!missing.exists());
        assert_eq!(check_game_dir(&missing, true).unwrap(), missing);
        assert!(missing.is_dir());
        // The write probe leaves nothing behind.
        assert_eq!(std::fs::read_dir(&missing).unwrap().count(), 0);
        let file = tmp.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        let e = check_game_dir(&file, true).unwrap_err();
        assert!(e.message.contains("is a file"), "{}", e.message);
        assert_eq!(check_game_dir(Path::new(""), true).unwrap_err().kind, ErrorKind::GameDir);
    }

    #[cfg(unix)]
    #[test]
    fn check_game_dir_refuses_a_folder_it_cannot_write() {
        // /proc refuses new files even for root, so this holds in containers too.
        let e = check_game_dir(Path::new("/proc"), false).unwrap_err();
        assert_eq!(e.kind, ErrorKind::GameDir);
        assert!(e.message.contains("cannot write"), "{}", e.message);
    }
}
