//! Golden wire fixtures: every message's JSON shape is committed under `tests/fixtures/`.
//!
//! A change to any message's wire shape fails here until the fixture is regenerated with
//! `UPDATE_FIXTURES=1 cargo test -p lanspread-proto --test golden` and the diff is reviewed.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use std::{collections::BTreeSet, path::PathBuf};

use lanspread_proto::{Catalog, CatalogEntry, Request, Response};
use serde::{Serialize, de::DeserializeOwned};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn check<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(name: &str, value: &T) {
    let file = fixtures_dir().join(format!("{name}.json"));
    let json = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&file, &json).unwrap();
    }
    let committed = std::fs::read_to_string(&file)
        .unwrap_or_else(|_| panic!("missing fixture {}; run with UPDATE_FIXTURES=1", file.display()));
    assert_eq!(committed, json, "wire shape of {name} changed; review and regenerate the fixture");
    let decoded: T = serde_json::from_str(&committed).unwrap();
    assert_eq!(&decoded, value, "fixture {name} does not decode to the example");
}

#[test]
fn every_message_matches_its_fixture() {
    let mut names = BTreeSet::new();
    for r in common::requests() {
        let name = common::request_name(&r);
        check(name, &r);
        names.insert(name.to_string());
    }
    for r in common::responses() {
        let name = common::response_name(&r);
        check(&name, &r);
        names.insert(name);
    }
    let entry = Catalog::bundled().entries()[0].clone();
    check::<CatalogEntry>("catalog_entry", &entry);
    names.insert("catalog_entry".into());

    // No stale fixtures: every committed file belongs to a current example.
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(on_disk, names, "fixtures on disk and examples differ");
}

#[test]
fn fixtures_decode_through_the_frame_decoder() {
    for r in common::requests() {
        let frame =
            lanspread_proto::frame::encode_frame(&r, lanspread_proto::frame::MAX_REQUEST_FRAME).unwrap();
        let (back, used): (Request, usize) =
            lanspread_proto::frame::decode_frame(&frame, lanspread_proto::frame::MAX_REQUEST_FRAME).unwrap();
        assert_eq!(used, frame.len());
        assert_eq!(back, r);
    }
    for r in common::responses() {
        let frame =
            lanspread_proto::frame::encode_frame(&r, lanspread_proto::frame::MAX_RESPONSE_FRAME).unwrap();
        let (back, _): (Response, usize) =
            lanspread_proto::frame::decode_frame(&frame, lanspread_proto::frame::MAX_RESPONSE_FRAME).unwrap();
        assert_eq!(back, r);
    }
}
