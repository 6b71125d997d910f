import { useEffect } from "preact/hooks";
import type { Toast } from "../store.ts";
import { CloseIcon } from "./icons.tsx";

/** How long a toast stays, by level (errors stay until closed). */
const LIFETIME_MS: Record<Toast["level"], number | null> = {
  info: 6000,
  success: 5000,
  warning: 10000,
  error: null,
};

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  useEffect(() => {
    const ms = LIFETIME_MS[toast.level];
    if (ms == null) return;
    const t = setTimeout(() => onDismiss(toast.id), ms);
    return () => clearTimeout(t);
  }, [toast.id]);
  return (
    <div class={`toast toast-${toast.level}`} role={toast.level === "error" ? "alert" : "status"}>
      <div class="toast-text">
        <strong>{toast.title}</strong>
        {toast.detail && <span>{toast.detail}</span>}
      </div>
      <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => onDismiss(toast.id)}>
        <CloseIcon />
      </button>
    </div>
  );
}

export function Toasts({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  return (
    <div class="toasts" aria-live="polite">
      {toasts.map((t) => <ToastItem key={t.id} toast={t} onDismiss={onDismiss} />)}
    </div>
  );
}
