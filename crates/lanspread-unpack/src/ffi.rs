//! A small safe layer over the UnRAR DLL interface (`unrar_sys`).
//!
//! Why not the `unrar` crate: its volume-change callback copies 2048 wide characters out of
//! UnRAR's `std::wstring` buffer whatever the string's real length (`from_ptr_truncate`), which
//! reads past the allocation on every multi-volume RAR5 extraction — undefined behaviour that a
//! debug build reports as a failed `ptr::copy_nonoverlapping` precondition. This module owns
//! the callback instead and reads UnRAR's strings up to their terminating NUL only.
//!
//! Extraction never lets UnRAR create files: entries are processed in `RAR_TEST` mode and the
//! unpacked bytes arrive through `UCM_PROCESSDATA` into a sink the caller opened at a path it
//! validated itself. UnRAR's own path handling is therefore never trusted.
//!
//! `unrar_sys` also declares the DLL's structures as plain `#[repr(C)]`, but `dll.hpp` wraps
//! them in `#pragma pack(1)`: every field after the first pointer that is not 8-byte aligned
//! (`CmtBuf` in `RARHeaderDataEx`) sits 4 bytes off, so reading link targets or times through
//! `unrar_sys::HeaderDataEx` hands UnRAR a garbage pointer. The packed mirrors below
//! ([`RarHeaderDataEx`], [`RarOpenArchiveDataEx`]) match `dll.hpp` byte for byte (checked by a
//! test against offsets printed by a C++ compiler), and only `unrar_sys`'s functions and
//! constants are used.
//!
//! UnRAR keeps some error state in process-wide globals (`ErrHandler`), so every use of the
//! library happens under [`UnrarLock`].

use std::{
    ffi::{c_char, c_int, c_uint},
    io,
    panic::AssertUnwindSafe,
    path::{Path, PathBuf},
    ptr::NonNull,
    sync::{
        Mutex, MutexGuard,
        atomic::{AtomicBool, Ordering},
    },
};

use unrar_sys as sys;

use crate::UnpackError;

/// Longest string read from a pointer UnRAR hands to the callback (UnRAR's own limit is 2048).
const MAX_CALLBACK_STR: usize = 0x10000;
/// Capacity of the link-target buffer passed to `RARReadHeaderEx`.
const REDIR_BUF_LEN: usize = 4096;
/// Capacity of the entry-name buffer (`FileNameEx`); a name filling it may be truncated.
const NAME_BUF_LEN: usize = 8192;

/// `struct RARHeaderDataEx` of `dll.hpp` (packed to 1 byte, like the C++ side).
#[repr(C, packed)]
struct RarHeaderDataEx {
    arc_name: [c_char; 1024],
    arc_name_w: [sys::WCHAR; 1024],
    file_name: [c_char; 1024],
    file_name_w: [sys::WCHAR; 1024],
    flags: c_uint,
    pack_size: c_uint,
    pack_size_high: c_uint,
    unp_size: c_uint,
    unp_size_high: c_uint,
    host_os: c_uint,
    file_crc: c_uint,
    file_time: c_uint,
    unp_ver: c_uint,
    method: c_uint,
    file_attr: c_uint,
    cmt_buf: *mut c_char,
    cmt_buf_size: c_uint,
    cmt_size: c_uint,
    cmt_state: c_uint,
    dict_size: c_uint,
    hash_type: c_uint,
    hash: [c_char; 32],
    redir_type: c_uint,
    redir_name: *mut sys::WCHAR,
    redir_name_size: c_uint,
    dir_target: c_uint,
    mtime_low: c_uint,
    mtime_high: c_uint,
    ctime_low: c_uint,
    ctime_high: c_uint,
    atime_low: c_uint,
    atime_high: c_uint,
    arc_name_ex: *mut sys::WCHAR,
    arc_name_ex_size: c_uint,
    file_name_ex: *mut sys::WCHAR,
    file_name_ex_size: c_uint,
    reserved: [c_uint; 982],
}

impl RarHeaderDataEx {
    /// All zero, as the DLL documentation requires for unused fields.
    fn zeroed() -> Box<Self> {
        // SAFETY: every field is an integer, an array of integers or a raw pointer, for which
        // all-zero bytes are valid (null pointers).
        unsafe { Box::new(std::mem::zeroed()) }
    }
}

/// `struct RAROpenArchiveDataEx` of `dll.hpp` (packed to 1 byte).
#[repr(C, packed)]
struct RarOpenArchiveDataEx {
    arc_name: *const c_char,
    arc_name_w: *const sys::WCHAR,
    open_mode: c_uint,
    open_result: c_uint,
    cmt_buf: *mut c_char,
    cmt_buf_size: c_uint,
    cmt_size: c_uint,
    cmt_state: c_uint,
    flags: c_uint,
    callback: Option<sys::Callback>,
    user_data: sys::LPARAM,
    op_flags: c_uint,
    cmt_buf_w: *mut sys::WCHAR,
    reserved: [c_uint; 25],
}

/// UnRAR `HostOS` value for archives made on Unix.
pub(crate) const HOST_UNIX: u32 = 3;

static UNRAR: Mutex<()> = Mutex::new(());

/// Proof that the caller holds the process-wide UnRAR lock.
pub(crate) struct UnrarLock(#[allow(dead_code)] MutexGuard<'static, ()>);

impl UnrarLock {
    /// Takes the lock (a poisoned lock is still usable: UnRAR resets its state on open).
    pub(crate) fn acquire() -> Self {
        Self(UNRAR.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

/// How an archive is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Headers only; split files appear once.
    List,
    /// Headers and data.
    Extract,
}

/// What to do with the entry whose header was just read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Move on without unpacking (UnRAR still unpacks in solid archives, discarding the bytes).
    Skip,
    /// Unpack and verify the checksum, handing the bytes to the sink.
    Test,
}

/// Link kinds (`RedirType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Redir {
    /// A regular file or directory.
    None,
    /// A Unix symbolic link.
    UnixSymlink,
    /// A Windows symbolic link.
    WinSymlink,
    /// A Windows junction (always absolute).
    Junction,
    /// A hard link to an earlier entry.
    HardLink,
    /// A copy of an earlier entry.
    FileCopy,
    /// A kind this code does not know.
    Unknown(u32),
}

impl Redir {
    fn from_raw(raw: u32) -> Self {
        match raw {
            0 => Self::None,
            1 => Self::UnixSymlink,
            2 => Self::WinSymlink,
            3 => Self::Junction,
            4 => Self::HardLink,
            5 => Self::FileCopy,
            other => Self::Unknown(other),
        }
    }
}

/// One file header as UnRAR reports it.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    /// Name with native separators, as decoded by UnRAR.
    pub(crate) name: String,
    /// The name filled UnRAR's buffer and may be cut short.
    pub(crate) name_truncated: bool,
    flags: u32,
    /// Unpacked size in bytes.
    pub(crate) unpacked_size: u64,
    /// `HOST_UNIX` or Windows.
    pub(crate) host_os: u32,
    /// Attributes (a Unix mode for Unix archives).
    pub(crate) file_attr: u32,
    /// Modification time as a Windows FILETIME (100 ns since 1601), 0 if unknown.
    pub(crate) mtime_filetime: u64,
    /// Link kind.
    pub(crate) redir: Redir,
    /// Link target (RAR5 links; empty for RAR 4.x symlinks whose target is in the data).
    pub(crate) redir_target: String,
    /// For symlinks: whether the target is a directory.
    pub(crate) dir_target: bool,
}

impl Header {
    pub(crate) fn is_dir(&self) -> bool {
        self.flags & sys::RHDF_DIRECTORY != 0
    }

    pub(crate) fn is_encrypted(&self) -> bool {
        self.flags & sys::RHDF_ENCRYPTED != 0
    }

    pub(crate) fn is_split_before(&self) -> bool {
        self.flags & sys::RHDF_SPLITBEFORE != 0
    }
}

/// Why the callback told UnRAR to stop.
#[derive(Debug)]
enum Abort {
    Cancelled,
    Write(io::Error),
    Oversize,
    MissingVolume(String),
    Password,
}

/// Where unpacked bytes go during one `process` call.
pub(crate) type Sink<'s> = &'s mut dyn FnMut(&[u8]) -> io::Result<()>;
/// A [`Sink`] with its borrow erased, valid only during the `process` call that set it.
type RawSink = *mut (dyn FnMut(&[u8]) -> io::Result<()> + 'static);

/// State shared with the UnRAR callback. Lives behind a raw pointer for the handle's lifetime.
struct CallbackState<'a> {
    sink: Option<RawSink>,
    entry_written: u64,
    entry_limit: u64,
    total_written: u64,
    progress: Option<&'a mut dyn FnMut(u64)>,
    cancel: Option<&'a AtomicBool>,
    abort: Option<Abort>,
    /// The volume UnRAR moved to last (`None`: still the first).
    last_volume: Option<String>,
}

impl CallbackState<'_> {
    fn on_message(&mut self, msg: sys::UINT, p1: sys::LPARAM, p2: sys::LPARAM) -> c_int {
        match msg {
            sys::UCM_CHANGEVOLUMEW => {
                if p2 == sys::RAR_VOL_ASK {
                    // The next volume does not exist. Read its name (NUL-terminated, in a
                    // buffer UnRAR owns) and stop: there is nobody to ask for a disk.
                    // SAFETY: UnRAR passes a NUL-terminated wide string for this message.
                    let name = unsafe { wide_cstr(p1 as *const sys::WCHAR) };
                    self.abort = Some(Abort::MissingVolume(name));
                    -1
                } else {
                    // SAFETY: as above; for RAR_VOL_NOTIFY this is the volume now open.
                    self.last_volume = Some(unsafe { wide_cstr(p1 as *const sys::WCHAR) });
                    0
                }
            }
            sys::UCM_CHANGEVOLUME if p2 == sys::RAR_VOL_ASK => {
                self.abort.get_or_insert(Abort::MissingVolume(String::new()));
                -1
            }
            sys::UCM_PROCESSDATA => self.on_data(p1, p2),
            sys::UCM_NEEDPASSWORD | sys::UCM_NEEDPASSWORDW => {
                self.abort = Some(Abort::Password);
                -1
            }
            _ => 0,
        }
    }

    fn on_data(&mut self, p1: sys::LPARAM, p2: sys::LPARAM) -> c_int {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            self.abort = Some(Abort::Cancelled);
            return -1;
        }
        let Ok(len) = usize::try_from(p2) else {
            return 0;
        };
        if len == 0 || p1 == 0 {
            return 0;
        }
        // SAFETY: for UCM_PROCESSDATA, UnRAR passes a pointer to `p2` unpacked bytes that
        // stay valid for the duration of the callback.
        let data = unsafe { std::slice::from_raw_parts(p1 as *const u8, len) };
        self.entry_written += len as u64;
        if self.entry_written > self.entry_limit {
            self.abort = Some(Abort::Oversize);
            return -1;
        }
        if let Some(sink) = self.sink
            // SAFETY: set by `process` from a live `&mut` and cleared before it returns.
            && let Err(e) = unsafe { (*sink)(data) }
        {
            self.abort = Some(Abort::Write(e));
            return -1;
        }
        self.total_written += len as u64;
        if let Some(progress) = self.progress.as_mut() {
            progress(self.total_written);
        }
        0
    }
}

extern "C" fn unrar_callback(
    msg: sys::UINT,
    user_data: sys::LPARAM,
    p1: sys::LPARAM,
    p2: sys::LPARAM,
) -> c_int {
    if user_data == 0 {
        return -1;
    }
    // A panic must not unwind into C++; treat it as "stop".
    std::panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `user_data` is the `CallbackState` pointer installed by `RawArchive::open`,
        // alive until the handle is closed, and not otherwise borrowed while UnRAR runs.
        let state = unsafe { &mut *(user_data as *mut CallbackState<'_>) };
        state.on_message(msg, p1, p2)
    }))
    .unwrap_or(-1)
}

/// Reads a NUL-terminated wide string, never past its terminator.
///
/// # Safety
/// `ptr` must be null or point to a NUL-terminated `WCHAR` string.
unsafe fn wide_cstr(ptr: *const sys::WCHAR) -> String {
    if ptr.is_null() {
        return String::new();
    }
    let mut len = 0;
    // SAFETY: the caller guarantees a terminator; we stop at it (or at a sanity bound).
    while len < MAX_CALLBACK_STR && unsafe { *ptr.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: the `len` elements before the terminator were just read.
    wide_to_string(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Converts a wide buffer up to its first NUL.
fn wide_buf_to_string(buf: &[sys::WCHAR]) -> (String, usize) {
    let len = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
    (wide_to_string(&buf[..len]), len)
}

#[cfg(not(windows))]
fn wide_to_string(wide: &[sys::WCHAR]) -> String {
    wide.iter().map(|&c| char::from_u32(c as u32).unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

#[cfg(windows)]
fn wide_to_string(wide: &[sys::WCHAR]) -> String {
    String::from_utf16_lossy(wide)
}

/// The archive name in the form `RAROpenArchiveEx` wants.
#[cfg(unix)]
struct ArcName(std::ffi::CString);

#[cfg(unix)]
impl ArcName {
    fn new(path: &Path) -> io::Result<Self> {
        use std::os::unix::ffi::OsStrExt;
        std::ffi::CString::new(path.as_os_str().as_bytes())
            .map(Self)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))
    }

    /// (narrow name, wide name) pointers.
    fn pointers(&self) -> (*const c_char, *const sys::WCHAR) {
        // UnRAR maps bytes it cannot decode in the current locale to a private range and back,
        // so any Unix path round-trips through the narrow name.
        (self.0.as_ptr(), std::ptr::null())
    }
}

#[cfg(windows)]
struct ArcName(Vec<u16>);

#[cfg(windows)]
impl ArcName {
    fn new(path: &Path) -> io::Result<Self> {
        use std::os::windows::ffi::OsStrExt;
        let mut wide: Vec<u16> = path.as_os_str().encode_wide().collect();
        if wide.contains(&0) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL"));
        }
        wide.push(0);
        Ok(Self(wide))
    }

    /// (narrow name, wide name) pointers.
    fn pointers(&self) -> (*const c_char, *const sys::WCHAR) {
        (std::ptr::null(), self.0.as_ptr())
    }
}

/// An open archive handle with its callback state.
pub(crate) struct RawArchive<'a> {
    handle: NonNull<sys::Handle>,
    state: *mut CallbackState<'a>,
    header: Box<RarHeaderDataEx>,
    name_buf: Vec<sys::WCHAR>,
    redir_buf: Vec<sys::WCHAR>,
    path: PathBuf,
    flags: u32,
}

impl Drop for RawArchive<'_> {
    fn drop(&mut self) {
        // SAFETY: the handle came from RAROpenArchiveEx and is closed exactly once; the state
        // pointer came from Box::into_raw and UnRAR no longer uses it once the handle is closed.
        unsafe {
            sys::RARCloseArchive(self.handle.as_ptr());
            drop(Box::from_raw(self.state));
        }
    }
}

impl<'a> RawArchive<'a> {
    /// Opens `path`. `progress` and `cancel` are used by data callbacks during extraction.
    pub(crate) fn open(
        _lock: &UnrarLock,
        path: &Path,
        mode: Mode,
        progress: Option<&'a mut dyn FnMut(u64)>,
        cancel: Option<&'a AtomicBool>,
    ) -> Result<Self, UnpackError> {
        let name = ArcName::new(path).map_err(|source| UnpackError::Io {
            op: "open",
            path: path.to_path_buf(),
            error: source,
        })?;
        let state = Box::into_raw(Box::new(CallbackState {
            sink: None,
            entry_written: 0,
            entry_limit: 0,
            total_written: 0,
            progress,
            cancel,
            abort: None,
            last_volume: None,
        }));
        let open_mode = match mode {
            Mode::List => sys::RAR_OM_LIST,
            Mode::Extract => sys::RAR_OM_EXTRACT,
        };
        let (arc_name, arc_name_w) = name.pointers();
        let mut data = RarOpenArchiveDataEx {
            arc_name,
            arc_name_w,
            open_mode,
            open_result: 0,
            cmt_buf: std::ptr::null_mut(),
            cmt_buf_size: 0,
            cmt_size: 0,
            cmt_state: 0,
            flags: 0,
            callback: Some(unrar_callback),
            user_data: state as sys::LPARAM,
            op_flags: 0,
            cmt_buf_w: std::ptr::null_mut(),
            reserved: [0; 25],
        };
        // SAFETY: `data` has the layout of RAROpenArchiveDataEx; it and the name it points to
        // outlive the call; the callback state pointer stays valid until `Drop`.
        let handle = unsafe { sys::RAROpenArchiveEx((&raw mut data).cast::<sys::OpenArchiveDataEx>()) }
            as *mut sys::Handle;
        let code = data.open_result as c_int;
        match NonNull::new(handle) {
            Some(handle) => {
                let mut archive = RawArchive {
                    handle,
                    state,
                    header: RarHeaderDataEx::zeroed(),
                    name_buf: vec![0; NAME_BUF_LEN],
                    redir_buf: vec![0; REDIR_BUF_LEN],
                    path: path.to_path_buf(),
                    flags: { data.flags },
                };
                if code != sys::ERAR_SUCCESS {
                    return Err(archive.error(code, "open"));
                }
                Ok(archive)
            }
            None => {
                // SAFETY: UnRAR returned no handle, so it keeps no reference to the state.
                let mut state = unsafe { Box::from_raw(state) };
                Err(open_error(path, code, state.abort.take()))
            }
        }
    }

    /// The archive is one volume of a set.
    pub(crate) fn is_volume(&self) -> bool {
        self.flags & sys::ROADF_VOLUME != 0
    }

    /// The archive is the first volume of a set.
    pub(crate) fn is_first_volume(&self) -> bool {
        self.flags & sys::ROADF_FIRSTVOLUME != 0
    }

    /// The archive's headers are encrypted (a password is needed even to list it).
    pub(crate) fn has_encrypted_headers(&self) -> bool {
        self.flags & sys::ROADF_ENCHEADERS != 0
    }

    /// Reads the next file header; `None` at the end of the archive.
    pub(crate) fn read_header(&mut self) -> Result<Option<Header>, UnpackError> {
        // Unused fields must be zero ("reserved"); the name and link buffers are ours.
        // SAFETY: all-zero is a valid value of the struct (see `zeroed`).
        *self.header = unsafe { std::mem::zeroed() };
        self.name_buf.fill(0);
        self.redir_buf.fill(0);
        self.header.file_name_ex = self.name_buf.as_mut_ptr();
        self.header.file_name_ex_size = NAME_BUF_LEN as c_uint;
        self.header.redir_name = self.redir_buf.as_mut_ptr();
        self.header.redir_name_size = REDIR_BUF_LEN as c_uint;
        // SAFETY: the handle is open; the struct has the layout of RARHeaderDataEx and it and
        // both buffers (sizes given in the struct) outlive the call.
        let code = unsafe {
            sys::RARReadHeaderEx(self.handle.as_ptr(), (&raw mut *self.header).cast::<sys::HeaderDataEx>())
        };
        match code {
            sys::ERAR_SUCCESS => {}
            sys::ERAR_END_ARCHIVE => return Ok(None),
            code => return Err(self.error(code, "read header")),
        }
        let h = &*self.header;
        let (name, name_len) = wide_buf_to_string(&self.name_buf);
        let redir = Redir::from_raw(h.redir_type);
        let redir_target =
            if redir == Redir::None { String::new() } else { wide_buf_to_string(&self.redir_buf).0 };
        Ok(Some(Header {
            name,
            name_truncated: name_len >= NAME_BUF_LEN - 1,
            flags: h.flags,
            unpacked_size: (u64::from(h.unp_size_high) << 32) | u64::from(h.unp_size),
            host_os: h.host_os,
            file_attr: h.file_attr,
            mtime_filetime: (u64::from(h.mtime_high) << 32) | u64::from(h.mtime_low),
            redir,
            redir_target,
            dir_target: h.dir_target != 0,
        }))
    }

    /// Processes the entry whose header was just read. With [`Op::Test`], the unpacked bytes
    /// go to `sink` (if any); at most `limit` bytes are accepted. Returns the bytes unpacked.
    pub(crate) fn process(&mut self, op: Op, sink: Option<Sink<'_>>, limit: u64) -> Result<u64, UnpackError> {
        let operation = match op {
            Op::Skip => sys::RAR_SKIP,
            Op::Test => sys::RAR_TEST,
        };
        {
            // SAFETY: no UnRAR call is running, so nothing else accesses the state.
            let state = unsafe { &mut *self.state };
            state.sink = sink.map(|s| {
                let raw: *mut (dyn FnMut(&[u8]) -> io::Result<()> + '_) = s;
                // SAFETY: only the trait object's lifetime bound changes; the pointer is
                // cleared below, before the borrow it came from ends.
                unsafe { std::mem::transmute::<_, RawSink>(raw) }
            });
            state.entry_written = 0;
            state.entry_limit = limit;
        }
        // SAFETY: the handle is open; null destinations are allowed (test mode writes nothing).
        let code = unsafe {
            sys::RARProcessFileW(self.handle.as_ptr(), operation, std::ptr::null(), std::ptr::null())
        };
        // SAFETY: the UnRAR call has returned.
        let state = unsafe { &mut *self.state };
        state.sink = None;
        let written = state.entry_written;
        if code != sys::ERAR_SUCCESS || state.abort.is_some() {
            let code = if code == sys::ERAR_SUCCESS { sys::ERAR_UNKNOWN } else { code };
            return Err(self.error(code, "unpack"));
        }
        Ok(written)
    }

    /// The volume UnRAR is reading now (the last one after a full listing).
    pub(crate) fn current_volume(&self) -> PathBuf {
        // SAFETY: called between UnRAR calls only.
        match unsafe { &(*self.state).last_volume } {
            Some(name) => PathBuf::from(name),
            None => self.path.clone(),
        }
    }

    /// Counts bytes produced outside UnRAR (file copies) towards the progress total.
    pub(crate) fn report_extra(&mut self, bytes: u64) {
        // SAFETY: called between UnRAR calls only.
        let state = unsafe { &mut *self.state };
        state.total_written += bytes;
        if let Some(progress) = state.progress.as_mut() {
            progress(state.total_written);
        }
    }

    /// Maps an UnRAR return code (and whatever the callback recorded) to an error.
    fn error(&mut self, code: c_int, stage: &str) -> UnpackError {
        // SAFETY: called between UnRAR calls only.
        let abort = unsafe { (*self.state).abort.take() };
        let archive = self.path.clone();
        match abort {
            Some(Abort::Cancelled) => UnpackError::Cancelled,
            Some(Abort::Write(source)) => {
                UnpackError::Io { op: "write data from", path: archive, error: source }
            }
            Some(Abort::Oversize) => UnpackError::Corrupt {
                archive,
                detail: "an entry unpacks to more bytes than its header declares".into(),
            },
            Some(Abort::MissingVolume(name)) => missing_volume(archive, &name),
            Some(Abort::Password) => UnpackError::Encrypted { archive },
            None => code_error(archive, code, stage),
        }
    }
}

fn missing_volume(archive: PathBuf, name: &str) -> UnpackError {
    let volume = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "the next volume".to_string());
    UnpackError::MissingVolume { archive, volume }
}

fn open_error(path: &Path, code: c_int, abort: Option<Abort>) -> UnpackError {
    let archive = path.to_path_buf();
    match abort {
        Some(Abort::Password) => return UnpackError::Encrypted { archive },
        Some(Abort::MissingVolume(name)) => return missing_volume(archive, &name),
        _ => {}
    }
    if code == sys::ERAR_EOPEN {
        let source = match std::fs::metadata(path) {
            Err(e) => e,
            Ok(_) => io::Error::other("UnRAR could not open the file"),
        };
        return UnpackError::Io { op: "open", path: archive, error: source };
    }
    code_error(archive, code, "open")
}

fn code_error(archive: PathBuf, code: c_int, stage: &str) -> UnpackError {
    let corrupt = |detail: &str| UnpackError::Corrupt {
        archive: archive.clone(),
        detail: format!("{stage}: {detail}; download the game again"),
    };
    match code {
        sys::ERAR_BAD_DATA => corrupt("checksum mismatch, the data is damaged"),
        sys::ERAR_BAD_ARCHIVE => corrupt("not a RAR archive, or its main header is damaged"),
        sys::ERAR_UNKNOWN_FORMAT => corrupt("unknown archive format"),
        sys::ERAR_EREAD => corrupt("read error or unexpected end of the archive (truncated?)"),
        sys::ERAR_EREFERENCE => corrupt("a file reference points to a missing entry"),
        sys::ERAR_MISSING_PASSWORD | sys::ERAR_BAD_PASSWORD => UnpackError::Encrypted { archive },
        sys::ERAR_EOPEN => UnpackError::MissingVolume { archive, volume: "the next volume".into() },
        sys::ERAR_NO_MEMORY => {
            UnpackError::Other { archive, detail: format!("{stage}: UnRAR ran out of memory") }
        }
        other => UnpackError::Other { archive, detail: format!("{stage}: UnRAR error code {other}") },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offsets printed by g++ for `dll.hpp` (UnRAR 7.1, x86-64 Linux, `#pragma pack(1)`).
    #[cfg(all(unix, target_pointer_width = "64"))]
    #[test]
    fn structs_match_the_packed_c_layout() {
        use std::mem::{offset_of, size_of};
        assert_eq!(size_of::<RarHeaderDataEx>(), 14340);
        assert_eq!(offset_of!(RarHeaderDataEx, redir_name), 10348);
        assert_eq!(offset_of!(RarHeaderDataEx, mtime_low), 10364);
        assert_eq!(offset_of!(RarHeaderDataEx, file_name_ex), 10400);
        assert_eq!(size_of::<RarOpenArchiveDataEx>(), 176);
        assert_eq!(offset_of!(RarOpenArchiveDataEx, callback), 48);
        assert_eq!(offset_of!(RarOpenArchiveDataEx, user_data), 56);
        assert_eq!(offset_of!(RarOpenArchiveDataEx, op_flags), 64);
        assert_eq!(offset_of!(RarOpenArchiveDataEx, cmt_buf_w), 68);
    }

    #[test]
    fn wide_cstr_stops_at_the_terminator() {
        // A short buffer: reading a fixed 2048 elements here would be out of bounds.
        let buf: Vec<sys::WCHAR> = "x.part2.rar\0".chars().map(|c| c as sys::WCHAR).collect();
        // SAFETY: NUL-terminated.
        assert_eq!(unsafe { wide_cstr(buf.as_ptr()) }, "x.part2.rar");
        // SAFETY: null is allowed.
        assert_eq!(unsafe { wide_cstr(std::ptr::null()) }, "");
    }

    #[test]
    fn wide_buffer_conversion_reports_length() {
        let mut buf = [0 as sys::WCHAR; 8];
        for (i, c) in "abc".chars().enumerate() {
            buf[i] = c as sys::WCHAR;
        }
        assert_eq!(wide_buf_to_string(&buf), ("abc".to_string(), 3));
    }
}
