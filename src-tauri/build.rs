//! Embeds the web UI (`ui/dist`) and the configuration. The real
//! configuration is `../tauri.conf.json`; `tauri.conf.json` here is a symlink
//! to it, so cargo, `tauri::generate_context!()` and the Tauri CLI all read
//! the same file and resolve its relative paths from this folder.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=../ui/dist");
    println!("cargo:rerun-if-env-changed=TAURI_CONFIG");
    // TAURI_CONFIG='{"build":{"frontendDist":"/abs/dir"}}' may point elsewhere.
    let dist_overridden = std::env::var("TAURI_CONFIG").is_ok_and(|c| c.contains("frontendDist"));
    if !dist_overridden && !Path::new("../ui/dist/index.html").is_file() {
        eprintln!(
            "error: the desktop app embeds the built web UI, and ui/dist/index.html does not exist.\n\
             Build the UI first:  (cd ui && npm ci && npm run build)\n\
             (scripts/test.sh and scripts/run.sh do this before building.)"
        );
        std::process::exit(1);
    }
    tauri_build::build()
}
