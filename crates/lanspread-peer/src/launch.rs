//! Starting an installed game: which program, with which arguments, in which folder.
//!
//! The catalog may say how to launch a title on each OS (`"launch": {"linux": {"exe":
//! "bin/game", "args": [...]}}`, paths inside `local/`). Without an entry for this OS, a single
//! executable at the top of `local/` (or, when there is none there, one level down) is used;
//! otherwise the game's folder is opened. Every program path must resolve to a regular file
//! inside `local/` (no `..`, no link out of it).
//!
//! A game starts detached, in its own process group (Linux, macOS), so that the runtime can
//! tell when the whole tree has exited: many launchers exit early and leave the game running.

use std::{
    fs, io,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

use lanspread_proto::{CatalogEntry, GameId, LOCAL_DIR};
use serde::Serialize;

/// Where a launch plan came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LaunchSource {
    /// The catalog's launch entry for this OS.
    Catalog,
    /// The only executable found in `local/`.
    Found,
    /// Nothing to run: the game's folder is opened instead.
    OpenFolder,
}

/// What starting a game runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaunchPlan {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// The working directory (the program's folder, or `local/`).
    pub cwd: PathBuf,
    /// Where the plan came from.
    pub source: LaunchSource,
}

/// Why a game cannot be started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LaunchError {
    /// `local/` is missing.
    #[error("{0} is not installed; install it first")]
    NotInstalled(GameId),
    /// The program resolves outside `local/` (a link).
    #[error("{id}: the program {path} leads outside the game's folder; refusing to start it")]
    Escapes {
        /// The game.
        id: GameId,
        /// The program, relative to `local/`.
        path: String,
    },
    /// Reading the folder or starting the program failed.
    #[error("{op} {path}: {error}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// Where.
        path: PathBuf,
        /// The cause.
        error: io::Error,
    },
}

/// How to start game `id` installed under `root` (its game root), per its catalog `entry`.
pub fn plan(root: &Path, id: &GameId, entry: Option<&CatalogEntry>) -> Result<LaunchPlan, LaunchError> {
    let local = root.join(LOCAL_DIR);
    match fs::symlink_metadata(&local) {
        Ok(md) if md.is_dir() => {}
        _ => return Err(LaunchError::NotInstalled(id.clone())),
    }
    let io_err = |op, path: &Path| {
        let path = path.to_path_buf();
        move |error| LaunchError::Io { op, path, error }
    };
    let real_local = fs::canonicalize(&local).map_err(io_err("resolve", &local))?;
    if let Some(spec) = entry.and_then(|e| e.launch.as_ref()).and_then(|l| l.for_this_os()) {
        let path = local.join(spec.exe.to_path_buf());
        let rel = spec.exe.as_str().to_string();
        match fs::canonicalize(&path) {
            Ok(real) if !real.starts_with(&real_local) => {
                return Err(LaunchError::Escapes { id: id.clone(), path: rel });
            }
            Ok(real) if fs::metadata(&real).is_ok_and(|m| m.is_file()) => {
                let cwd = real.parent().map_or_else(|| real_local.clone(), Path::to_path_buf);
                return Ok(LaunchPlan {
                    program: real,
                    args: spec.args.clone(),
                    cwd,
                    source: LaunchSource::Catalog,
                });
            }
            // Another edition of the game (other file names): look for its program instead.
            _ => {
                tracing::warn!(game = %id, program = %rel, "the catalog's program is not installed; looking for another")
            }
        }
    }
    let mut found = executables_in(&real_local).map_err(io_err("read", &local))?;
    if found.is_empty() {
        for dir in subdirs(&real_local).map_err(io_err("read", &local))? {
            found.extend(executables_in(&dir).map_err(io_err("read", &dir))?);
        }
    }
    if let [only] = found.as_slice() {
        let cwd = only.parent().map_or_else(|| real_local.clone(), Path::to_path_buf);
        return Ok(LaunchPlan { program: only.clone(), args: Vec::new(), cwd, source: LaunchSource::Found });
    }
    Ok(LaunchPlan {
        program: PathBuf::from(open_folder_program()),
        args: vec![real_local.display().to_string()],
        cwd: real_local,
        source: LaunchSource::OpenFolder,
    })
}

/// The program that opens a folder in the desktop's file manager.
fn open_folder_program() -> &'static str {
    if cfg!(windows) {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    }
}

/// Real (non-link) subdirectories of `dir`, sorted.
fn subdirs(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            out.push(e.path());
        }
    }
    out.sort();
    Ok(out)
}

/// The programs directly in `dir` (regular files, links not followed), sorted: `.exe` files on
/// Windows; elsewhere files with an execute bit that are not shared libraries.
fn executables_in(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let ft = e.file_type()?;
        if !ft.is_file() {
            continue;
        }
        let name = e.file_name().to_string_lossy().to_lowercase();
        if is_program(&name, &e.metadata()?) {
            out.push(e.path());
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(windows)]
fn is_program(name: &str, _md: &fs::Metadata) -> bool {
    name.ends_with(".exe") && !name.starts_with("unins") && !name.starts_with("setup")
}

#[cfg(not(windows))]
fn is_program(name: &str, md: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let shared_lib = name.ends_with(".so") || name.contains(".so.") || name.ends_with(".dylib");
    md.permissions().mode() & 0o111 != 0 && !shared_lib && !name.ends_with(".exe") && !name.ends_with(".dll")
}

/// Starts `plan` detached: no console, stdin/stdout/stderr closed, in its own process group
/// (its id is the child's pid), so the game outlives this process and its whole tree can be
/// watched with [`group_alive`].
pub fn start(plan: &LaunchPlan) -> io::Result<Child> {
    #[cfg(unix)]
    ensure_executable(&plan.program)?;
    let mut cmd = Command::new(&plan.program);
    cmd.args(&plan.args)
        .current_dir(&plan.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        // CREATE_NEW_PROCESS_GROUP | DETACHED_PROCESS | CREATE_SUSPENDED: it runs once it is
        // in its job (below), so no process it starts can escape the job.
        cmd.creation_flags(0x0000_0200 | 0x0000_0008 | 0x0000_0004);
    }
    let child = cmd.spawn()?;
    #[cfg(windows)]
    job::adopt(&child);
    Ok(child)
}

/// Windows has no process groups that outlive their leader: a game is started in its own Job
/// Object, which every process it starts joins, and it runs while the job has processes.
#[cfg(windows)]
mod job {
    use std::{
        collections::HashMap,
        ffi::c_void,
        os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle},
        process::Child,
        sync::{Mutex, PoisonError},
    };

    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn CreateJobObjectW(attributes: *const c_void, name: *const u16) -> *mut c_void;
        fn AssignProcessToJobObject(job: *mut c_void, process: *mut c_void) -> i32;
        fn QueryInformationJobObject(
            job: *mut c_void,
            class: i32,
            info: *mut c_void,
            len: u32,
            returned: *mut u32,
        ) -> i32;
    }
    #[link(name = "ntdll")]
    unsafe extern "system" {
        fn NtResumeProcess(process: *mut c_void) -> i32;
    }

    /// `JobObjectBasicAccountingInformation`.
    const BASIC_ACCOUNTING: i32 = 1;

    /// `JOBOBJECT_BASIC_ACCOUNTING_INFORMATION`.
    #[repr(C)]
    #[derive(Default)]
    struct BasicAccounting {
        total_user_time: i64,
        total_kernel_time: i64,
        this_period_total_user_time: i64,
        this_period_total_kernel_time: i64,
        total_page_fault_count: u32,
        total_processes: u32,
        active_processes: u32,
        total_terminated_processes: u32,
    }

    /// The job of each started game, by the pid of the process that was started.
    static JOBS: Mutex<Option<HashMap<u32, OwnedHandle>>> = Mutex::new(None);

    /// Puts the suspended `child` in a new job and lets it run. Without a job (creation or
    /// assignment refused) the game still starts; only its direct process is then watched.
    pub(super) fn adopt(child: &Child) {
        let process = child.as_raw_handle();
        // SAFETY: no attributes, no name; a null return is a failure.
        let raw = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if raw.is_null() {
            tracing::warn!(error = %std::io::Error::last_os_error(), "no job object: only the game's own process is watched");
        } else {
            // SAFETY: a fresh handle this function owns from here on.
            let job = unsafe { OwnedHandle::from_raw_handle(raw) };
            // SAFETY: both handles are valid for the call.
            if unsafe { AssignProcessToJobObject(job.as_raw_handle(), process) } != 0 {
                let mut jobs = JOBS.lock().unwrap_or_else(PoisonError::into_inner);
                jobs.get_or_insert_with(HashMap::new).insert(child.id(), job);
            } else {
                tracing::warn!(error = %std::io::Error::last_os_error(), "the game could not join its job");
            }
        }
        // SAFETY: the child's process handle, created suspended by `start`.
        let status = unsafe { NtResumeProcess(process) };
        if status != 0 {
            tracing::warn!(status, "resuming the started game failed");
        }
    }

    /// Whether the job started with `pid` still has a process; the job is forgotten when not.
    pub(super) fn alive(pid: u32) -> bool {
        let mut jobs = JOBS.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(map) = jobs.as_mut() else { return false };
        let Some(job) = map.get(&pid) else { return false };
        let mut info = BasicAccounting::default();
        // SAFETY: `info` is the structure this class fills, with its exact size.
        let ok = unsafe {
            QueryInformationJobObject(
                job.as_raw_handle(),
                BASIC_ACCOUNTING,
                (&raw mut info).cast(),
                std::mem::size_of::<BasicAccounting>() as u32,
                std::ptr::null_mut(),
            )
        };
        let alive = ok != 0 && info.active_processes > 0;
        if !alive {
            map.remove(&pid);
        }
        alive
    }
}

/// The payload carries no permission bits (manifests list bytes, not modes), so a program that
/// arrived by download is not executable on Unix. The player asked to start exactly this file
/// inside `local/`: give it the execute bits its read bits allow, as launchers do.
#[cfg(unix)]
fn ensure_executable(program: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(program)?;
    let mode = meta.permissions().mode();
    if !meta.is_file() || mode & 0o111 != 0 {
        return Ok(());
    }
    // r-- → r-x for each of user, group and others.
    let exec = (mode & 0o444) >> 2;
    std::fs::set_permissions(program, std::fs::Permissions::from_mode(mode | exec))
}

/// Whether any process the game started as `pgid` began still runs: its process group on
/// Unix, its Job Object on Windows.
pub fn group_alive(pgid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pgid) = i32::try_from(pgid) else { return false };
        // SAFETY: kill with signal 0 only checks whether the group exists; no signal is sent.
        let r = unsafe { libc::kill(-pgid, 0) };
        r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(windows)]
    {
        job::alive(pgid)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = pgid;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> GameId {
        GameId::new("quake3").unwrap()
    }

    #[cfg(unix)]
    fn exe(path: &Path) {
        use std::os::unix::fs::PermissionsExt;
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, b"#!/bin/sh\nexit 0\n").unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[cfg_attr(not(unix), allow(dead_code))]
    fn entry(launch: &str) -> CatalogEntry {
        let json = format!(
            r#"[{{"id":"quake3","name":"Q","description":"","genre":"FPS","max_players":16,"release_year":1999,"size_bytes":0,"art":null,"launch":{launch}}}]"#
        );
        lanspread_proto::Catalog::from_json(json.as_bytes()).unwrap().entries()[0].clone()
    }

    #[test]
    fn not_installed_is_refused() {
        let d = tempfile::tempdir().unwrap();
        assert!(matches!(plan(d.path(), &id(), None), Err(LaunchError::NotInstalled(_))));
    }

    #[cfg(unix)]
    #[test]
    fn the_catalog_entry_wins_and_runs_in_the_programs_folder() {
        let d = tempfile::tempdir().unwrap();
        exe(&d.path().join("local/bin/q3.x86_64"));
        exe(&d.path().join("local/other.sh"));
        let e =
            entry(r#"{"linux":{"exe":"bin/q3.x86_64","args":["+map","q3dm17"]},"windows":{"exe":"q3.exe"}}"#);
        let p = plan(d.path(), &id(), Some(&e)).unwrap();
        let local = fs::canonicalize(d.path().join("local")).unwrap();
        assert_eq!(p.source, LaunchSource::Catalog);
        assert_eq!(p.program, local.join("bin/q3.x86_64"));
        assert_eq!(p.args, ["+map", "q3dm17"]);
        assert_eq!(p.cwd, local.join("bin"));
        // A program that is not there (another edition): the folder's own program instead (the
        // only one at the top of local/); one that links out of local/ is refused.
        let e = entry(r#"{"linux":{"exe":"bin/missing"}}"#);
        let p = plan(d.path(), &id(), Some(&e)).unwrap();
        assert_eq!((p.source, p.program), (LaunchSource::Found, local.join("other.sh")));
        std::os::unix::fs::symlink("/bin/sh", d.path().join("local/escape")).unwrap();
        let e = entry(r#"{"linux":{"exe":"escape"}}"#);
        assert!(matches!(plan(d.path(), &id(), Some(&e)), Err(LaunchError::Escapes { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn without_an_entry_a_single_executable_is_found_else_the_folder_opens() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("local/baseq3")).unwrap();
        fs::write(d.path().join("local/readme.txt"), b"hi").unwrap();
        exe(&d.path().join("local/lib/libgame.so.1"));
        exe(&d.path().join("local/game/run.sh"));
        // Nothing at the top; exactly one program one level down (the library does not count).
        let p = plan(d.path(), &id(), None).unwrap();
        assert_eq!(p.source, LaunchSource::Found);
        assert!(p.program.ends_with("game/run.sh"), "{p:?}");
        // Two candidates: the folder opens instead.
        exe(&d.path().join("local/tools/editor"));
        let p = plan(d.path(), &id(), None).unwrap();
        assert_eq!(p.source, LaunchSource::OpenFolder);
        assert_eq!(p.args, [fs::canonicalize(d.path().join("local")).unwrap().display().to_string()]);
        // One at the top wins over those below.
        exe(&d.path().join("local/start"));
        let p = plan(d.path(), &id(), None).unwrap();
        assert!(p.program.ends_with("local/start") && p.source == LaunchSource::Found, "{p:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_started_game_runs_in_its_folder_in_its_own_group_until_its_tree_exits() {
        let d = tempfile::tempdir().unwrap();
        let script = d.path().join("local/run.sh");
        fs::create_dir_all(script.parent().unwrap()).unwrap();
        // The launcher exits at once and leaves a child running for a moment (like many games).
        fs::write(&script, "#!/bin/sh\npwd > started.txt\necho \"$@\" >> started.txt\n(sleep 1; echo done > finished.txt) &\nexit 0\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
        let e = entry(r#"{"linux":{"exe":"run.sh","args":["--fast"]}}"#);
        let p = plan(d.path(), &id(), Some(&e)).unwrap();
        let mut child = start(&p).unwrap();
        let pgid = child.id();
        assert!(child.wait().unwrap().success());
        assert!(group_alive(pgid), "the launcher's child still runs in the group");
        let t = std::time::Instant::now();
        while group_alive(pgid) && t.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(!group_alive(pgid), "the group ends when its last process does");
        let local = fs::canonicalize(d.path().join("local")).unwrap();
        let started = fs::read_to_string(local.join("started.txt")).unwrap();
        assert_eq!(started, format!("{}\n--fast\n", local.display()));
        assert_eq!(fs::read_to_string(local.join("finished.txt")).unwrap(), "done\n");
    }

    /// Windows: a launcher that starts the game and exits at once (like many games) leaves the
    /// game running in its Job Object; Play stays "running" until the game exits too. The test
    /// executable plays both parts (the two helpers below), in a folder marked for them.
    #[cfg(windows)]
    #[test]
    fn a_started_game_runs_in_its_job_until_its_tree_exits() {
        let d = tempfile::tempdir().unwrap();
        let local = d.path().join("local");
        fs::create_dir_all(&local).unwrap();
        fs::write(local.join(JOB_MARKER), "").unwrap();
        let me = std::env::current_exe().unwrap();
        let p = LaunchPlan {
            program: me,
            args: vec![
                "--exact".into(),
                "launch::tests::helper_job_launcher".into(),
                "--test-threads=1".into(),
            ],
            cwd: local.clone(),
            source: LaunchSource::Catalog,
        };
        let mut child = start(&p).unwrap();
        let pid = child.id();
        assert!(child.wait().unwrap().success());
        assert!(local.join("launched.txt").exists(), "the launcher ran in the game's folder");
        assert!(group_alive(pid), "the launcher's child still runs in the job");
        let t = std::time::Instant::now();
        while group_alive(pid) && t.elapsed() < std::time::Duration::from_secs(20) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(!group_alive(pid), "the job ends when its last process does");
        assert_eq!(fs::read_to_string(local.join("finished.txt")).unwrap(), "done");
    }

    /// Marks a folder where the helpers act; anywhere else they return at once.
    #[cfg(windows)]
    const JOB_MARKER: &str = "job-test-marker";

    /// Helper of the job test (a no-op elsewhere): starts the "game" and exits.
    #[cfg(windows)]
    #[test]
    fn helper_job_launcher() {
        if !Path::new(JOB_MARKER).exists() {
            return;
        }
        let me = std::env::current_exe().unwrap();
        Command::new(me)
            .args(["--exact", "launch::tests::helper_job_game", "--test-threads=1"])
            .spawn()
            .unwrap();
        fs::write("launched.txt", "").unwrap();
    }

    /// Helper of the job test (a no-op elsewhere): the "game", running for a while.
    #[cfg(windows)]
    #[test]
    fn helper_job_game() {
        if !Path::new(JOB_MARKER).exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1500));
        fs::write("finished.txt", "done").unwrap();
    }
}
