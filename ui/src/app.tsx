import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "preact/hooks";
import { api, listenAll, pickCatalog, pickFolder } from "./api.ts";
import type { AppError, GameView, SettingsUpdate } from "./bindings/index.ts";
import { DirBanner, Header, Toolbar } from "./components/chrome.tsx";
import { DirProblem, NobodyShares, NoMatch, NoPeers, StartFailed, Starting } from "./components/empty.tsx";
import { GameCard } from "./components/GameCard.tsx";
import {
  ConfirmDelete,
  ConfirmQuit,
  ConfirmUninstall,
  DownloadsPanel,
  PeersPanel,
  SettingsDialog,
} from "./components/panels.tsx";
import { Toasts } from "./components/Toasts.tsx";
import {
  type Action,
  downloadsOf,
  failureTitle,
  type Filter,
  filterCounts,
  type Sort,
  toAppError,
  visibleGames,
} from "./logic.ts";
import { initialState, reduce } from "./store.ts";

type Dialog =
  | { kind: "peers" }
  | { kind: "settings" }
  | { kind: "uninstall"; game: GameView }
  | { kind: "delete"; game: GameView }
  | { kind: "downloads" }
  | null;

export function App() {
  const [state, dispatch] = useReducer(reduce, undefined, initialState);
  const [query, setQuery] = useState("");
  const [filter, setFilter] = useState<Filter>("all");
  const [sort, setSort] = useState<Sort>("name");
  const [dialog, setDialog] = useState<Dialog>(null);
  const [pending, setPending] = useState<Set<string>>(new Set());
  const searchRef = useRef<HTMLInputElement>(null);

  const refresh = useCallback(async () => {
    try {
      dispatch({ type: "settings", settings: await api.getSettings() });
      dispatch({ type: "games", list: await api.requestGames() });
      dispatch({ type: "peers", list: await api.listPeers() });
    } catch (e) {
      dispatch({ type: "error", title: "Could not load your library", error: toAppError(e) });
    }
  }, []);

  useEffect(() => {
    let off: (() => void) | undefined;
    let gone = false;
    // Subscribe first, then load: anything that changes after the snapshot arrives as an event.
    listenAll((event) => dispatch({ type: "event", event }))
      .then((f) => {
        if (gone) f();
        else off = f;
      })
      .finally(refresh);
    return () => {
      gone = true;
      off?.();
    };
  }, []);

  // "/" focuses the search box (unless typing somewhere already).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === "/" && !dialog && !["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)) {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [dialog]);

  const withPending = async (id: string, title: string, f: () => Promise<unknown>) => {
    setPending((p) => new Set(p).add(id));
    try {
      await f();
    } catch (e) {
      dispatch({ type: "error", title, error: toAppError(e) });
    } finally {
      setPending((p) => {
        const n = new Set(p);
        n.delete(id);
        return n;
      });
    }
  };

  const onAction = (game: GameView, action: Action) => {
    const title = failureTitle(action.kind, game.name);
    switch (action.kind) {
      case "install":
      case "resume":
        return withPending(game.id, title, () => api.installGame(game.id));
      case "update":
        return withPending(game.id, title, () => api.updateGame(game.id));
      case "install_unverified":
        return withPending(game.id, title, () => api.installUnverified(game.id));
      case "play":
        return withPending(game.id, title, () => api.playGame(game.id));
      case "cancel":
        return withPending(game.id, title, () => api.cancelDownload(game.id));
      case "uninstall":
        return setDialog({ kind: "uninstall", game });
      case "open_folder":
        return withPending(game.id, title, () => api.openGameFolder(game.id));
      case "verify":
        return withPending(game.id, title, () => api.verifyGame(game.id, false));
      case "repair":
        return withPending(game.id, title, () => api.verifyGame(game.id, true));
      case "delete":
      case "discard":
        return setDialog({ kind: "delete", game });
      case "start_now":
        return withPending(game.id, title, () => api.startNow(game.id));
      case "queue_up":
      case "queue_down":
        return withPending(game.id, title, () => api.moveInQueue(game.id, action.kind === "queue_up"));
    }
  };

  const setDir = async (path: string) => {
    try {
      dispatch({ type: "settings", settings: await api.updateGameDirectory(path) });
      dispatch({ type: "games", list: await api.requestGames() });
    } catch (e) {
      dispatch({ type: "error", title: "Could not use that folder", error: toAppError(e) });
    }
  };

  const changeDir = async () => {
    try {
      const picked = await pickFolder(state.settings?.game_dir.path);
      if (picked) await setDir(picked);
    } catch (e) {
      dispatch({ type: "error", title: "Could not open the folder picker", error: toAppError(e) });
    }
  };

  const saveSettings = async (u: SettingsUpdate): Promise<AppError | null> => {
    try {
      dispatch({ type: "settings", settings: await api.updateSettings(u) });
      return null;
    } catch (e) {
      return toAppError(e);
    }
  };

  const openPeers = async () => {
    setDialog({ kind: "peers" });
    try {
      dispatch({ type: "peers", list: await api.listPeers() });
    } catch (e) {
      dispatch({ type: "error", title: "Could not list peers", error: toAppError(e) });
    }
  };

  const visible = useMemo(() => visibleGames(state.games, query, filter, sort), [
    state.games,
    query,
    filter,
    sort,
  ]);
  const counts = useMemo(() => filterCounts(state.games), [state.games]);
  const downloads = useMemo(() => {
    const d = downloadsOf(state.games);
    return d.running.length + d.queued.length;
  }, [state.games]);
  const settings = state.settings;
  const runtime = settings?.runtime;

  let main;
  if (!settings || (runtime?.status === "running" && !state.loaded) || runtime?.status === "starting") {
    main = <Starting />;
  } else if (runtime?.status === "no_game_dir") {
    main = (
      <DirProblem
        settings={settings}
        onCreate={() => setDir(settings.game_dir.path)}
        onChoose={changeDir}
      />
    );
  } else if (runtime?.status === "failed") {
    main = <StartFailed message={runtime.error.message} onRetry={() => saveSettings({}).then(refresh)} />;
  } else if (state.games.length === 0) {
    main = state.peerCount === 0
      ? <NoPeers gameDir={settings.game_dir.path} />
      : <NobodyShares peers={state.peerCount} />;
  } else {
    main = (
      <>
        <Toolbar
          query={query}
          filter={filter}
          sort={sort}
          counts={counts}
          searchRef={searchRef}
          onQuery={setQuery}
          onFilter={setFilter}
          onSort={setSort}
        />
        {visible.length === 0
          ? (
            <NoMatch
              onClear={() => {
                setQuery("");
                setFilter("all");
              }}
            />
          )
          : (
            <section class="grid" aria-label="Games">
              {visible.map((g) => (
                <GameCard
                  key={g.id}
                  game={g}
                  pending={pending.has(g.id)}
                  freeBytes={state.freeBytes}
                  autoInstall={settings.auto_install}
                  damaged={state.damaged.includes(g.id)}
                  onAction={onAction}
                />
              ))}
            </section>
          )}
      </>
    );
  }

  return (
    <div class="shell">
      <Header
        settings={settings}
        peerCount={state.peerCount}
        downloads={downloads}
        onDownloads={() => setDialog({ kind: "downloads" })}
        onPeers={openPeers}
        onChangeDir={changeDir}
        onSettings={() => setDialog({ kind: "settings" })}
      />
      {settings?.game_dir.is_default && !settings.game_dir.problem && (
        <DirBanner
          path={settings.game_dir.path}
          onChange={changeDir}
          onKeep={() => setDir(settings.game_dir.path)}
        />
      )}
      <main class="content">{main}</main>
      {dialog?.kind === "uninstall" && settings && (
        <ConfirmUninstall
          game={dialog.game}
          gameDir={settings.game_dir.path}
          onClose={() => setDialog(null)}
          onConfirm={() => {
            const g = dialog.game;
            setDialog(null);
            withPending(g.id, failureTitle("uninstall", g.name), () => api.uninstallGame(g.id));
          }}
        />
      )}
      {dialog?.kind === "delete" && settings && (
        <ConfirmDelete
          game={dialog.game}
          gameDir={settings.game_dir.path}
          onClose={() => setDialog(null)}
          onConfirm={() => {
            const g = dialog.game;
            setDialog(null);
            withPending(g.id, failureTitle("delete", g.name), () => api.deleteGame(g.id));
          }}
        />
      )}
      {state.quitAsked && (
        <ConfirmQuit
          busy={state.quitAsked}
          onClose={() => dispatch({ type: "quit-answered" })}
          onConfirm={() => {
            dispatch({ type: "quit-answered" });
            api.quitApp().catch((e) =>
              dispatch({ type: "error", title: "Could not quit", error: toAppError(e) })
            );
          }}
        />
      )}
      {dialog?.kind === "downloads" && (
        <DownloadsPanel
          games={state.games}
          totals={state.totals}
          onAction={onAction}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === "peers" && settings && (
        <PeersPanel
          peers={state.peers}
          unreachable={state.unreachable}
          tests={state.connectionTests}
          settings={settings}
          onTest={async (address) => {
            try {
              await api.testConnection(address);
              return null;
            } catch (e) {
              return toAppError(e);
            }
          }}
          onAdd={async (address) => {
            try {
              dispatch({ type: "settings", settings: await api.addPeer(address) });
              return null;
            } catch (e) {
              return toAppError(e);
            }
          }}
          onForget={async (address) => {
            try {
              dispatch({ type: "settings", settings: await api.forgetPeer(address) });
            } catch (e) {
              dispatch({ type: "error", title: "Could not forget that address", error: toAppError(e) });
            }
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === "settings" && settings && (
        <SettingsDialog
          settings={settings}
          onChangeDir={changeDir}
          onPickCatalog={pickCatalog}
          onSave={saveSettings}
          onClose={() => setDialog(null)}
        />
      )}
      <Toasts toasts={state.toasts} onDismiss={(id) => dispatch({ type: "dismiss", id })} />
    </div>
  );
}
