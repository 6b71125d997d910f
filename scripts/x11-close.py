#!/usr/bin/python3
"""Asks an X11 window to close, as a window manager's close button does: a WM_DELETE_WINDOW
client message (the e2e test runs under a bare Xvfb with no window manager).

Usage: x11-close.py WINDOW_NAME  (the first mapped top-level window with that exact name)."""
import sys

from Xlib import X, display, protocol


def find(win, name):
    for child in win.query_tree().children:
        try:
            if child.get_wm_name() == name and child.get_attributes().map_state == X.IsViewable:
                return child
        except Exception:  # a window that went away meanwhile
            continue
    return None


def main():
    name = sys.argv[1]
    d = display.Display()
    win = find(d.screen().root, name)
    if win is None:
        print(f"no visible window named {name!r}", file=sys.stderr)
        return 1
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    ev = protocol.event.ClientMessage(window=win, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
    win.send_event(ev, event_mask=X.NoEventMask)
    d.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
