//! A writer thread, so that UnRAR's reading, decompressing and checksumming overlaps with
//! writing the extracted bytes (which blocks on the disk once the page cache throttles).
//!
//! The UnRAR callback copies each block into a pooled buffer and queues it; the writer thread
//! writes blocks to the current file in order. At most `MAX_BUFFERS` blocks are in flight, so
//! memory stays bounded (UnRAR's blocks are at most a few MiB). The first write error stops
//! the pipeline: the callback then refuses data, UnRAR aborts, and [`Pipeline::take_error`]
//! returns the real cause. Dropping the pipeline joins the thread, so no write outlives it.

use std::{
    fs::File,
    io::{self, Write},
    path::PathBuf,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
        mpsc::{self, Receiver, SyncSender},
    },
    thread::JoinHandle,
    time::SystemTime,
};

use crate::{UnpackError, platform};

/// Blocks in flight between UnRAR and the writer thread.
const MAX_BUFFERS: usize = 6;

/// What to apply to a file once its data is written.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FileMeta {
    pub(crate) mtime: Option<SystemTime>,
    /// Unix permission bits to apply (Unix archives with executable entries).
    pub(crate) unix_mode: Option<u32>,
}

enum Msg {
    Open(File, PathBuf),
    Data(Vec<u8>),
    Close(FileMeta),
    Barrier(SyncSender<()>),
}

#[derive(Default)]
struct Shared {
    failed: AtomicBool,
    error: Mutex<Option<UnpackError>>,
}

impl Shared {
    fn fail(&self, error: UnpackError) {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(error);
        self.failed.store(true, Ordering::Release);
    }
}

/// The writer thread and its queues.
pub(crate) struct Pipeline {
    tx: Option<SyncSender<Msg>>,
    free: Receiver<Vec<u8>>,
    allocated: usize,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Pipeline {
    pub(crate) fn start() -> io::Result<Self> {
        let (tx, rx) = mpsc::sync_channel::<Msg>(MAX_BUFFERS + 2);
        let (free_tx, free) = mpsc::channel::<Vec<u8>>();
        let shared = Arc::new(Shared::default());
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("unrar-writer".into())
            .spawn(move || write_loop(&rx, &free_tx, &worker))?;
        Ok(Self { tx: Some(tx), free, allocated: 0, shared, thread: Some(thread) })
    }

    fn send(&self, msg: Msg) -> io::Result<()> {
        self.tx
            .as_ref()
            .ok_or_else(|| io::Error::other("the writer was stopped"))?
            .send(msg)
            .map_err(|_| io::Error::other("the writer thread stopped"))
    }

    fn stopped(&self) -> bool {
        self.shared.failed.load(Ordering::Acquire)
    }

    /// The error that stopped the writer, if any.
    pub(crate) fn take_error(&self) -> Option<UnpackError> {
        self.shared.error.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Prefers the writer's own error over `other` (which is then only a consequence).
    pub(crate) fn explain(&self, other: UnpackError) -> UnpackError {
        self.take_error().unwrap_or(other)
    }

    /// Starts writing into `file` (at `path`, for messages).
    pub(crate) fn open(&mut self, file: File, path: PathBuf) -> Result<(), UnpackError> {
        if let Some(e) = self.take_error() {
            return Err(e);
        }
        self.send(Msg::Open(file, path.clone())).map_err(|source| UnpackError::Io {
            op: "write",
            path,
            error: source,
        })
    }

    /// Queues a block for the current file.
    pub(crate) fn write(&mut self, data: &[u8]) -> io::Result<()> {
        if self.stopped() {
            return Err(io::Error::other("writing failed"));
        }
        let mut buf = if self.allocated < MAX_BUFFERS {
            self.allocated += 1;
            Vec::with_capacity(data.len())
        } else {
            self.free.recv().map_err(|_| io::Error::other("the writer thread stopped"))?
        };
        buf.clear();
        buf.extend_from_slice(data);
        self.send(Msg::Data(buf))
    }

    /// Ends the current file, applying `meta` after its last byte.
    pub(crate) fn close(&mut self, meta: FileMeta) -> io::Result<()> {
        self.send(Msg::Close(meta))
    }

    /// Waits until everything queued is written (e.g. before reading an extracted file back).
    pub(crate) fn barrier(&mut self) -> Result<(), UnpackError> {
        let (tx, rx) = mpsc::sync_channel(1);
        let result = self
            .send(Msg::Barrier(tx))
            .and_then(|()| rx.recv().map_err(|_| io::Error::other("the writer thread stopped")));
        if let Some(e) = self.take_error() {
            return Err(e);
        }
        result.map_err(|source| UnpackError::Io { op: "write", path: PathBuf::new(), error: source })
    }

    /// Writes everything queued, stops the thread and reports the first error.
    pub(crate) fn finish(mut self) -> Result<(), UnpackError> {
        self.join();
        match self.take_error() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn join(&mut self) {
        drop(self.tx.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            self.shared.fail(UnpackError::Io {
                op: "write",
                path: PathBuf::new(),
                error: io::Error::other("the writer thread panicked"),
            });
        }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.join();
    }
}

fn write_loop(rx: &Receiver<Msg>, free: &mpsc::Sender<Vec<u8>>, shared: &Shared) {
    let mut current: Option<(File, PathBuf)> = None;
    for msg in rx {
        match msg {
            Msg::Open(file, path) => current = Some((file, path)),
            Msg::Data(buf) => {
                if !shared.failed.load(Ordering::Acquire)
                    && let Some((file, path)) = current.as_mut()
                    && let Err(source) = file.write_all(&buf)
                {
                    shared.fail(UnpackError::Io { op: "write", path: path.clone(), error: source });
                }
                let _ = free.send(buf);
            }
            Msg::Close(meta) => {
                if let Some((file, path)) = current.take()
                    && !shared.failed.load(Ordering::Acquire)
                {
                    if let Some(mtime) = meta.mtime {
                        // Best effort: some file systems refuse times out of their range.
                        let _ = file.set_modified(mtime);
                    }
                    if let Some(mode) = meta.unix_mode
                        && let Err(source) = platform::apply_unix_mode(&file, mode)
                    {
                        shared.fail(UnpackError::Io { op: "set permissions", path, error: source });
                    }
                }
            }
            Msg::Barrier(reply) => {
                let _ = reply.send(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_written_in_order_and_metadata_applied_last() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let mut pipe = Pipeline::start().unwrap();
        pipe.open(File::create(&path).unwrap(), path.clone()).unwrap();
        for i in 0..50u8 {
            pipe.write(&[i; 1000]).unwrap();
        }
        let mtime = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        pipe.close(FileMeta { mtime: Some(mtime), unix_mode: None }).unwrap();
        pipe.barrier().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len(), 50_000);
        assert!(bytes.chunks(1000).enumerate().all(|(i, c)| c.iter().all(|&b| usize::from(b) == i)));
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);
        pipe.finish().unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_write_error_stops_the_pipeline_and_is_reported() {
        let full = File::options().write(true).open("/dev/full").unwrap();
        let mut pipe = Pipeline::start().unwrap();
        pipe.open(full, "/dev/full".into()).unwrap();
        pipe.write(&[0; 4096]).unwrap();
        let err = pipe.barrier().unwrap_err();
        match err {
            UnpackError::Io { error: source, path, .. } => {
                assert_eq!(source.raw_os_error(), Some(libc::ENOSPC));
                assert_eq!(path, PathBuf::from("/dev/full"));
            }
            other => panic!("{other:?}"),
        }
        assert!(pipe.write(&[0; 16]).is_err(), "writes after a failure must be refused");
        pipe.finish().unwrap();
    }
}
