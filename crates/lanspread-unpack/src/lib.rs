//! Archive extraction for installs, over the official UnRAR library (filled in by the install work).
