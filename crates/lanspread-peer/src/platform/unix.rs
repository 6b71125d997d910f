use std::{fs::File, fs::OpenOptions, io, os::unix::fs::OpenOptionsExt, path::Path};

/// fsyncs a directory so a rename inside it is durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

pub(super) fn private_mode(opts: &mut OpenOptions) {
    opts.mode(0o600);
}
