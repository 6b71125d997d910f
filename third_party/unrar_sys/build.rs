//! Patched for lanspread (see PATCHED.md): every decision about the *target* reads Cargo's
//! `CARGO_CFG_TARGET_*` variables instead of the build host's `cfg!`, so that a cross build
//! (Linux host, `x86_64-pc-windows-gnu` target) compiles `isnt.cpp` and links the Windows
//! libraries UnRAR needs; a host whose file system is case-sensitive also gets a shim include
//! directory for the two headers UnRAR names in MSVC's spelling.

fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let windows = target_os == "windows";
    if windows {
        for lib in [
            "powrprof", "shell32", "advapi32", "ole32", "oleaut32", "wbemuuid", "shlwapi", "version",
            "kernel32",
        ] {
            println!("cargo:rustc-link-lib={lib}");
        }
        // MinGW: Rust's standard library already links winpthread statically
        // (`-l:libpthread.a`); linking it here too pulled in the import library as well and
        // the link failed with duplicate pthread symbols (or the exe needed
        // libwinpthread-1.dll). `target_env` stays read for other Windows toolchains.
        let _ = target_env;
    } else {
        println!("cargo:rustc-link-lib=pthread");
    }
    let mut names: Vec<&str> = vec![
        "strlist",
        "strfn",
        "pathfn",
        "smallfn",
        "global",
        "file",
        "filefn",
        "filcreat",
        "archive",
        "arcread",
        "unicode",
        "system",
        "crypt",
        "crc",
        "rawread",
        "encname",
        "match",
        "timefn",
        "rdwrfn",
        "consio",
        "options",
        "errhnd",
        "rarvm",
        "secpassword",
        "rijndael",
        "getbits",
        "sha1",
        "sha256",
        "blake2s",
        "hash",
        "extinfo",
        "extract",
        "volume",
        "list",
        "find",
        "unpack",
        "headers",
        "threadpool",
        "rs16",
        "cmddata",
        "ui",
        "filestr",
        "scantree",
        "dll",
        "qopen",
    ];
    if windows {
        names.push("isnt");
    }
    let files: Vec<String> = names.iter().map(|s| format!("vendor/unrar/{s}.cpp")).collect();
    let mut build = cc::Build::new();
    if windows && !cfg!(windows) {
        build.include("shim");
    }
    build
        .cpp(true) // Switch to C++ library compilation.
        .opt_level(2)
        .std("c++14")
        // by default cc crate tries to link against dynamic stdlib, which causes problems on windows-gnu target
        .cpp_link_stdlib(None)
        .warnings(false)
        .extra_warnings(false)
        .flag_if_supported("-stdlib=libc++")
        .flag_if_supported("-fPIC")
        .flag_if_supported("-Wno-switch")
        .flag_if_supported("-Wno-parentheses")
        .flag_if_supported("-Wno-macro-redefined")
        .flag_if_supported("-Wno-dangling-else")
        .flag_if_supported("-Wno-logical-op-parentheses")
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-unused-variable")
        .flag_if_supported("-Wno-unused-function")
        .flag_if_supported("-Wno-missing-braces")
        .flag_if_supported("-Wno-unknown-pragmas")
        .flag_if_supported("-Wno-deprecated-declarations")
        .define("_FILE_OFFSET_BITS", Some("64"))
        .define("_LARGEFILE_SOURCE", None)
        .define("RAR_SMP", None)
        .define("RARDLL", None)
        .files(&files)
        .compile("libunrar.a");
}
