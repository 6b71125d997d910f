//! The one place where the runtime spawns tasks.
//!
//! Every task is registered with the runtime's [`TaskTracker`] (so shutdown waits for it),
//! runs inside a tracing span (so every log line says which peer, connection, stream or game
//! it belongs to), and has its outcome looked at: an `Err` is logged, a panic is caught,
//! logged and reported as [`PeerEvent::RuntimeFailed`] instead of vanishing silently.
//!
//! Operations on a game (downloads, installs) are also tracked by a second tracker so that
//! shutdown can wait for them first (they keep their verified chunks); see `runtime/mod.rs`.

use std::{any::Any, fmt::Display, future::Future, panic::AssertUnwindSafe};

use futures::FutureExt as _;
use tokio_util::task::TaskTracker;
use tracing::{Instrument as _, Span};

use crate::{
    api::PeerEvent,
    error::{ErrorInfo, ErrorKind},
    runtime::EventSender,
};

/// How a task's failure matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A long-lived part of the runtime (server, discovery, ping, monitor): an error is
    /// logged at error level and reported as `RuntimeFailed`.
    Component,
    /// One piece of work (a connection, a stream, a handshake, an operation): an error is an
    /// everyday event (a peer went away) and logged at debug level.
    Work,
}

/// What a task returns: nothing, or a result whose error is logged.
pub(crate) trait Outcome: Send + 'static {
    /// The error to log, if any.
    fn error(self) -> Option<String>;
}

impl Outcome for () {
    fn error(self) -> Option<String> {
        None
    }
}

impl<E: Display + Send + 'static> Outcome for Result<(), E> {
    fn error(self) -> Option<String> {
        self.err().map(|e| e.to_string())
    }
}

/// The runtime's task spawner (cheap to clone).
#[derive(Clone)]
pub(crate) struct Tasks {
    all: TaskTracker,
    ops: TaskTracker,
    events: EventSender,
}

impl Tasks {
    pub(crate) fn new(events: EventSender) -> Self {
        Self { all: TaskTracker::new(), ops: TaskTracker::new(), events }
    }

    /// Spawns `fut` as task `name` inside `span`.
    pub(crate) fn spawn<F>(&self, role: Role, name: &'static str, span: Span, fut: F)
    where
        F: Future + Send + 'static,
        F::Output: Outcome,
    {
        self.all.spawn(supervised(self.events.clone(), role, name, span, fut));
    }

    /// Spawns a game operation (download, install, uninstall): like [`Tasks::spawn`] with
    /// [`Role::Work`], and also tracked so that shutdown can wait for operations first.
    pub(crate) fn spawn_op<F>(&self, name: &'static str, span: Span, fut: F)
    where
        F: Future + Send + 'static,
        F::Output: Outcome,
    {
        let fut = self.ops.track_future(supervised(self.events.clone(), Role::Work, name, span, fut));
        self.all.spawn(fut);
    }

    /// Spawns the task that runs shutdown: it waits for every other task, so it cannot be one
    /// of the tracked ones. Its span, error and panic handling are the same.
    pub(crate) fn spawn_supervisor<F>(&self, name: &'static str, span: Span, fut: F)
    where
        F: Future + Send + 'static,
        F::Output: Outcome,
    {
        tokio::spawn(supervised(self.events.clone(), Role::Component, name, span, fut));
    }

    /// Waits until every operation has ended.
    pub(crate) async fn ops_done(&self) {
        self.ops.close();
        self.ops.wait().await;
    }

    /// No new task is accepted after this (tasks still spawned run, and are waited for).
    pub(crate) fn close(&self) {
        self.all.close();
    }

    /// Waits until every task has ended (after [`Tasks::close`]).
    pub(crate) async fn wait(&self) {
        self.all.wait().await;
    }

    /// Number of tasks still running.
    pub(crate) fn len(&self) -> usize {
        self.all.len()
    }
}

/// Runs `fut` in `span`, logs its error, and turns a panic into a log line and an event.
async fn supervised<F>(events: EventSender, role: Role, name: &'static str, span: Span, fut: F)
where
    F: Future + Send + 'static,
    F::Output: Outcome,
{
    let outcome = AssertUnwindSafe(fut).catch_unwind().instrument(span.clone()).await;
    let _entered = span.enter();
    match outcome {
        Ok(out) => match (out.error(), role) {
            (None, _) => {}
            (Some(error), Role::Component) => {
                tracing::error!(task = name, %error, "component failed");
                let _ = events.send(PeerEvent::RuntimeFailed {
                    component: name.into(),
                    error: ErrorInfo::new(ErrorKind::Internal, error),
                });
            }
            (Some(error), Role::Work) => tracing::debug!(task = name, %error, "task ended with an error"),
        },
        Err(panic) => {
            let message = panic_message(panic.as_ref());
            tracing::error!(task = name, panic = %message, "task panicked");
            let _ = events.send(PeerEvent::RuntimeFailed {
                component: name.into(),
                error: ErrorInfo::new(ErrorKind::Internal, format!("{name} panicked: {message}")),
            });
        }
    }
}

fn panic_message(p: &(dyn Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_task_is_reported_and_waited_for() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let tasks = Tasks::new(tx);
        let fail = true;
        tasks.spawn_op("boom", tracing::info_span!("test"), async move {
            if fail {
                panic!("on purpose");
            }
        });
        tasks.spawn(Role::Component, "fails", tracing::info_span!("test"), async {
            Err::<(), _>("bad thing")
        });
        tasks.spawn(Role::Work, "quiet", tracing::info_span!("test"), async { Err::<(), _>("peer left") });
        tasks.ops_done().await;
        tasks.close();
        tasks.wait().await;
        assert_eq!(tasks.len(), 0);
        let mut failed = Vec::new();
        while let Ok(ev) = rx.try_recv() {
            if let PeerEvent::RuntimeFailed { component, error } = ev {
                failed.push((component, error.message));
            }
        }
        failed.sort();
        assert_eq!(
            failed,
            vec![
                ("boom".to_string(), "boom panicked: on purpose".to_string()),
                ("fails".to_string(), "bad thing".to_string()),
            ],
            "a work task's error is only logged"
        );
    }
}
