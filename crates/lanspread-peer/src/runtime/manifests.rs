//! Serving our own manifests: checks what may be served, then takes the manifest from the
//! [`ManifestCache`](super::manifest_cache::ManifestCache), building it (hashing only what the
//! hash index lacks) when the game's files changed.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use lanspread_proto::{ErrorCode, GameId, GameManifest, GameVersion};

use super::{
    Ctx,
    manifest_cache::{Job, Lookup, files_key},
};
use crate::{library::LocalGame, library::hashes::build_manifest, tasks::Role};

/// A manifest request that could not be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ManifestRefusal {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> ManifestRefusal {
    ManifestRefusal { code, message: message.into() }
}

/// The manifest of local game `id` (optionally at `want`), waiting up to `wait` for a build.
pub(crate) async fn manifest_for(
    ctx: &Arc<Ctx>,
    id: &GameId,
    want: Option<&GameVersion>,
    wait: Duration,
) -> Result<Arc<GameManifest>, ManifestRefusal> {
    if !ctx.catalog().contains(id) {
        return Err(refuse(ErrorCode::NotInCatalog, format!("{id} is not in this peer's catalog")));
    }
    let Some((version, key)) = ctx.library.with_game(id, |g| (g.version.clone(), files_key(g))) else {
        return Err(refuse(ErrorCode::UnknownGame, format!("this peer does not have {id}")));
    };
    let Some(version) = version else {
        return Err(refuse(ErrorCode::NotReady, format!("{id} is not completely downloaded here")));
    };
    if want.is_some_and(|w| *w != version) {
        return Err(refuse(ErrorCode::VersionMismatch, format!("this peer has {id} version {version}")));
    }
    if ctx.ops.is_gated(id) {
        return Err(refuse(
            ErrorCode::NotReady,
            format!("{id} is being changed on this peer; try again shortly"),
        ));
    }
    let mut build = match ctx.manifests.lookup(id, &version, key).await {
        Lookup::Ready(m) => return Ok(m),
        Lookup::Building(b) => b,
        Lookup::Start(job) => {
            let b = job.build.clone();
            match ctx.library.game(id) {
                Some(game) => start_build(ctx, game, job),
                // Removed meanwhile: the waiters see the build end without a manifest.
                None => ctx.manifests.finish(id, job, version.clone(), None).await,
            }
            b
        }
    };
    let _ = tokio::time::timeout(wait, build.done()).await;
    if let Some(m) = ctx.manifests.built(id, &version, key).await {
        return Ok(m);
    }
    if ctx.manifests.building(id).await {
        return Err(refuse(
            ErrorCode::NotReady,
            format!("hashing {id}: {}% done; try again shortly", build.progress.percent()),
        ));
    }
    Err(refuse(
        ErrorCode::Internal,
        format!("could not build the manifest of {id}; see the serving peer's log"),
    ))
}

/// Builds the manifest of `game` on a blocking thread, then records it and announces its
/// digest.
fn start_build(ctx: &Arc<Ctx>, game: LocalGame, job: Job) {
    let ctx2 = ctx.clone();
    let index = ctx.hash_index();
    let cancel = Arc::new(AtomicBool::new(false));
    let span = tracing::info_span!("manifest", game = %game.id);
    ctx.shared.tasks.spawn(Role::Work, "manifest-build", span, async move {
        let (id, version) = (game.id.clone(), game.version.clone());
        let Some(version) = version else { return };
        let progress = job.build.progress.clone();
        let stop = cancel.clone();
        let build = tokio::task::spawn_blocking(move || {
            build_manifest(&game, &index, &stop, &mut |h, t| {
                progress.hashed.store(h, Ordering::Relaxed);
                progress.total.store(t, Ordering::Relaxed);
            })
        });
        let result = tokio::select! {
            r = build => r,
            _ = ctx2.shared.cancel.cancelled() => {
                cancel.store(true, Ordering::Relaxed);
                return;
            }
        };
        let manifest = match result {
            Ok(Ok(m)) => Some(Arc::new(m)),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not build the manifest");
                None
            }
            Err(e) => {
                tracing::error!(error = %e, "manifest build panicked");
                None
            }
        };
        ctx2.manifests.finish(&id, job, version.clone(), manifest.clone()).await;
        if let Some(m) = manifest {
            ctx2.record_digest(&id, &version, m.digest());
        }
    });
}

/// Builds the manifests of every downloaded game in the background, so they are ready (and
/// their digests announced) before anyone asks.
pub(crate) async fn prehash(ctx: &Arc<Ctx>) {
    for game in ctx.library.games_where(LocalGame::downloaded) {
        if ctx.shared.cancel.is_cancelled() {
            return;
        }
        let _ = manifest_for(ctx, &game.id, None, Duration::from_secs(3600)).await;
    }
}
