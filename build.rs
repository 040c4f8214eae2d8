//! Embeds the built web UI (`ui/dist`) in the `loket` binary when it has been
//! built, so `loket serve` serves it from any working directory. Without it
//! the binary still builds, and `/` says how to build the UI.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(loket_embedded_ui)");
    // The migrations are embedded too (kernel::store).
    println!("cargo::rerun-if-changed=migrations");
    if Path::new("ui/dist/index.html").is_file() {
        println!("cargo::rustc-cfg=loket_embedded_ui");
        println!("cargo::rerun-if-changed=ui/dist");
    } else {
        // Notices when `ui/dist` appears (a new entry under `ui/`).
        println!("cargo::rerun-if-changed=ui");
    }
}
