/** The header, the first-run directory banner and the library toolbar. */
import type { Ref } from "preact";
import type { SettingsView } from "../bindings/index.ts";
import { type Filter, FILTERS, homeFrom, peerCountLabel, shortPath, type Sort, SORTS } from "../logic.ts";
import { FolderIcon, GearIcon, Logo, PeersIcon, SearchIcon } from "./icons.tsx";

interface HeaderProps {
  settings: SettingsView | null;
  peerCount: number;
  /** Downloads running or queued. */
  downloads: number;
  onDownloads: () => void;
  onPeers: () => void;
  onChangeDir: () => void;
  onSettings: () => void;
}

export function Header(
  { settings, peerCount, downloads, onDownloads, onPeers, onChangeDir, onSettings }: HeaderProps,
) {
  const dir = settings?.game_dir;
  const running = settings?.runtime.status === "running";
  return (
    <header class="topbar">
      <div class="brand">
        <Logo />
        <span>lanspread</span>
      </div>
      <div class="spacer" />
      <button
        type="button"
        class={`chip downloads-chip${downloads > 0 ? " active" : ""}`}
        onClick={onDownloads}
        data-testid="downloads"
        aria-label={`Downloads: ${downloads} running or waiting; show them`}
      >
        <span>Downloads</span>
        {downloads > 0 && <span class="count">{downloads}</span>}
      </button>
      <button
        type="button"
        class={`chip peers-chip${peerCount > 0 ? " online" : ""}`}
        onClick={onPeers}
        data-testid="peer-count"
        aria-label={`${peerCountLabel(peerCount)} on the network; show them`}
      >
        <span class="dot" aria-hidden="true" />
        <PeersIcon />
        <span>{running ? peerCountLabel(peerCount) : "Offline"}</span>
      </button>
      <div class={`chip dir-chip${dir?.problem ? " problem" : ""}`} title={dir?.path}>
        <FolderIcon />
        <span class="dir-path" data-testid="game-dir" data-path={dir?.path}>
          {dir ? shortPath(dir.path, homeFrom(settings?.default_game_dir ?? "")) : "…"}
        </span>
        <button type="button" class="link" onClick={onChangeDir}>Change…</button>
      </div>
      <button type="button" class="icon-btn" onClick={onSettings} aria-label="Settings" title="Settings">
        <GearIcon />
      </button>
    </header>
  );
}

interface BannerProps {
  path: string;
  onChange: () => void;
  onKeep: () => void;
}

/** First run: say where games go, prominently, with Change…. */
export function DirBanner({ path, onChange, onKeep }: BannerProps) {
  return (
    <div class="banner" role="status" data-testid="dir-banner">
      <FolderIcon />
      <div class="banner-text">
        Games you install are saved in <strong>{path}</strong>. You can change this folder any time.
      </div>
      <button type="button" class="btn btn-primary" onClick={onChange}>Change…</button>
      <button type="button" class="btn btn-secondary" onClick={onKeep}>Keep this folder</button>
    </div>
  );
}

interface ToolbarProps {
  query: string;
  filter: Filter;
  sort: Sort;
  counts: Record<Filter, number>;
  searchRef: Ref<HTMLInputElement>;
  onQuery: (q: string) => void;
  onFilter: (f: Filter) => void;
  onSort: (s: Sort) => void;
}

export function Toolbar(p: ToolbarProps) {
  return (
    <div class="toolbar">
      <label class="search">
        <SearchIcon />
        <input
          ref={p.searchRef}
          type="search"
          placeholder="Search games   ( / )"
          value={p.query}
          aria-label="Search games by name or genre"
          onInput={(e) => p.onQuery((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              p.onQuery("");
              (e.target as HTMLInputElement).blur();
            }
          }}
        />
      </label>
      <div class="filters" role="tablist" aria-label="Show">
        {FILTERS.map((f) => (
          <button
            type="button"
            role="tab"
            key={f.id}
            aria-selected={p.filter === f.id}
            class={`filter${p.filter === f.id ? " active" : ""}`}
            onClick={() => p.onFilter(f.id)}
          >
            {f.label}
            <span class="count">{p.counts[f.id]}</span>
          </button>
        ))}
      </div>
      <div class="spacer" />
      <label class="sort">
        <span>Sort by</span>
        <select value={p.sort} onChange={(e) => p.onSort((e.target as HTMLSelectElement).value as Sort)}>
          {SORTS.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
        </select>
      </label>
    </div>
  );
}
