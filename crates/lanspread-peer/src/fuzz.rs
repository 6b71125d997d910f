//! Entry points for the fuzz targets in `crates/lanspread-peer/fuzz` (feature `fuzzing`): the
//! decoders of the peer's own on-disk files, which are not public API. Each takes arbitrary
//! bytes, must never panic, and asserts the invariants the rest of the peer relies on.

use lanspread_proto::{
    ChunkHash, Digest, GameFileDescription, GameId, GameManifest, GameVersion, RelPath, chunk::chunk_count,
};

use crate::{
    download::state,
    install::intent::{self, LogState},
    library::hashes::GameHashes,
};

/// The install intent log `.lanspread.json`: decodes to a state, and a present log re-encodes
/// (as `write` does) to bytes that decode to the same intent.
pub fn intent_log(data: &[u8]) {
    if let LogState::Present(i) = intent::parse(data) {
        let bytes = intent::encode(&i).expect("an intent encodes");
        assert_eq!(intent::parse(&bytes), LogState::Present(i));
    }
}

/// The hash index `index/<dir>/<game>.json`: a decoded cache round trips, and every entry it
/// keeps has as many chunk hashes as its size needs (`build_manifest` copies them into the
/// manifest unchecked).
pub fn hash_index(data: &[u8]) {
    let h = GameHashes::decode(data);
    for (path, f) in &h.files {
        assert_eq!(f.chunks.len() as u64, chunk_count(f.size, h.chunk_size), "{path}: {f:?}");
    }
    let bytes = h.encode().expect("a cache encodes");
    assert_eq!(GameHashes::decode(&bytes), h);
}

/// The download state `.lanspread/download.json`, read against a fixed two-file manifest: a
/// bitmap that loads never counts more bytes than the manifest has, its file stamps name only
/// manifest files, and both round trip. It is read
/// both with the manifest's real digest and with the digest the file claims, so the fuzzer gets
/// past the digest check.
pub fn download_state(data: &[u8]) {
    let m = manifest();
    let claimed = serde_json::from_slice::<serde_json::Value>(data)
        .ok()
        .and_then(|v| serde_json::from_value::<Digest>(v.get("manifest_digest")?.clone()).ok());
    for digest in std::iter::once(m.digest()).chain(claimed) {
        if let Some((v, stamps)) = state::decode(data, &m, digest) {
            assert!(v.bytes(&m) <= m.total_size());
            assert!(stamps.keys().all(|i| *i < m.files.len()), "stamps only for manifest files");
            let bytes = state::encode(&m, digest, &v, &stamps).expect("a state encodes");
            assert_eq!(state::decode(&bytes, &m, digest), Some((v, stamps)));
        }
    }
    let _ = state::progress_from(data);
}

fn manifest() -> GameManifest {
    let file = |path: &str, size: u64, chunks: usize| GameFileDescription {
        path: RelPath::new(path).expect("valid path"),
        size,
        chunks: vec![ChunkHash([1; 32]); chunks],
    };
    GameManifest::new(
        GameId::new("quake3").expect("valid id"),
        GameVersion::new("1").expect("valid version"),
        1 << 20,
        vec![file("version.ini", 2, 1), file("baseq3/pak0.rar", (20 << 20) + 5, 21), file("empty.txt", 0, 0)],
        vec![],
    )
}

/// A broadcast beacon datagram: anything decodes to a beacon or to nothing, and a decoded
/// beacon re-encodes to a datagram that decodes to the same beacon, within the size cap.
pub fn beacon(data: &[u8]) {
    if let Some(b) = crate::beacon::Beacon::decode(data) {
        let bytes = b.encode();
        assert!(bytes.len() <= crate::beacon::MAX_BEACON + 64, "{} bytes", bytes.len());
        assert_eq!(crate::beacon::Beacon::decode(&bytes).as_ref(), Some(&b));
    }
}
