export function App() {
  return (
    <div class="shell">
      <header class="topbar">
        <div class="brand">lanspread</div>
        <div class="spacer" />
        <div class="peers" aria-label="peers on the network">0 peers</div>
      </header>
      <main class="content">
        <p class="empty">Your library will appear here.</p>
      </main>
    </div>
  );
}
