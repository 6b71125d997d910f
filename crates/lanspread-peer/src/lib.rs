//! The lanspread peer runtime (filled in by the peer-runtime work).
