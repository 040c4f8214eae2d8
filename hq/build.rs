//! Embeds head office's web page (`ui/dist-hq`, built by `npm run build` in
//! `ui/`) in the `loket-hq` binary when it has been built, so `loket-hq
//! serve` serves it at `/`. Without it the binary still builds, and `/` says
//! how to build the page.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(loket_hq_embedded_ui)");
    // The migrations are embedded too (db.rs).
    println!("cargo::rerun-if-changed=migrations");
    if Path::new("../ui/dist-hq/index.html").is_file() {
        println!("cargo::rustc-cfg=loket_hq_embedded_ui");
        println!("cargo::rerun-if-changed=../ui/dist-hq");
    } else {
        // Notices when `ui/dist-hq` appears (a new entry under `ui/`).
        println!("cargo::rerun-if-changed=../ui");
    }
}
