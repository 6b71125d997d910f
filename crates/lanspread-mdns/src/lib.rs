//! mDNS advertisement and browsing for lanspread peers (filled in by the peer-runtime work).
