//! Helpers shared by the fuzz targets.

use std::fmt::Debug;

use serde::{Serialize, de::DeserializeOwned};

/// Decodes `data` as JSON `T`; whatever decodes must re-encode, decode to an equal value and
/// encode to the same bytes again (one canonical encoding per value).
pub fn json_round_trip<T>(data: &[u8]) -> Option<T>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let value: T = serde_json::from_slice(data).ok()?;
    let once = serde_json::to_vec(&value).expect("a decoded value re-encodes");
    let back: T = serde_json::from_slice(&once).expect("an encoded value decodes");
    assert_eq!(back, value, "decode -> encode -> decode changed the value");
    let twice = serde_json::to_vec(&back).expect("re-encode");
    assert_eq!(once, twice, "the encoding is not canonical");
    Some(value)
}
