//! kill -9 while bookings are being written: every booking the server
//! acknowledged is there after a restart, and the database is intact.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::*;

#[test]
fn acknowledged_bookings_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    add_admin(dir.path());

    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    for round in 0..3 {
        let (mut child, server) = serve_binary(dir.path());
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let (server, stop, acked) = (server.clone(), stop.clone(), acked.clone());
                std::thread::spawn(move || {
                    let client = reqwest::blocking::Client::new();
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        i += 1;
                        let body = json!({"customer": {"name": "Pelanggan", "phone": format!("0819{round}{w}{i:06}")}, "price": "150000"});
                        let sent = client
                            .post(server.url("/bookings"))
                            .bearer_auth(server.token.as_deref().unwrap())
                            .json(&body)
                            .send();
                        // Once killed, requests fail: only a 201 counts as acknowledged.
                        let Ok(resp) = sent else { break };
                        if resp.status().as_u16() == 201
                            && let Ok(b) = resp.json::<Value>()
                        {
                            {
                                acked.lock().unwrap().push((b["id"].as_str().unwrap().into(), b["code"].as_str().unwrap().into()));
                            }
                        }
                    }
                })
            })
            .collect();
        let target = (round + 1) * 40;
        // Bounded: a server that stops answering fails the test, not hangs it.
        wait_for(
            &format!("{target} acknowledged bookings (round {round})"),
            Duration::from_secs(120),
            || acked.lock().unwrap().len() >= target,
        );
        child.kill().unwrap(); // SIGKILL: no shutdown, no flush
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.join().unwrap();
        }
    }

    let (mut child, server) = serve_binary(dir.path());
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 120);
    for (id, code) in &acked {
        let b = server.get(&format!("/bookings/{id}")).expect(200);
        assert_eq!(b["code"].as_str(), Some(code.as_str()));
    }
    let total = server.get("/bookings?page_size=1").expect(200)["meta"]["total"]
        .as_u64()
        .unwrap();
    assert!(total as usize >= acked.len());
    child.kill().unwrap();
    child.wait().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("loket.db")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let fk: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
}
