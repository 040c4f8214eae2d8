//! A TCP proxy on loopback in front of head office that understands just
//! enough HTTP/1.1 (request and response heads, `Content-Length` bodies) to
//! lose answers on purpose: it forwards a push to head office, lets head
//! office apply it, and cuts the connection instead of relaying the answer,
//! as a flaky network does mid-response.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

pub struct Proxy {
    pub url: String,
    /// How many more push answers to lose.
    pub cut_pushes: Arc<AtomicU32>,
    /// How many push answers were lost.
    pub cut_done: Arc<AtomicU32>,
    /// Milliseconds to hold every answer before relaying it (a slow link).
    pub delay_ms: Arc<AtomicU32>,
    /// Every request as it crossed the wire (head and body).
    pub requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Proxy {
    pub fn start(upstream: &str) -> Proxy {
        let upstream = upstream
            .strip_prefix("http://")
            .expect("http upstream")
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy port");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let cut_pushes = Arc::new(AtomicU32::new(0));
        let cut_done = Arc::new(AtomicU32::new(0));
        let delay_ms = Arc::new(AtomicU32::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (cut, done, delay, seen) = (
            cut_pushes.clone(),
            cut_done.clone(),
            delay_ms.clone(),
            requests.clone(),
        );
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (upstream, cut, done, delay, seen) = (
                    upstream.clone(),
                    cut.clone(),
                    done.clone(),
                    delay.clone(),
                    seen.clone(),
                );
                std::thread::spawn(move || {
                    let _ = serve(client, &upstream, &cut, &done, &delay, &seen);
                });
            }
        });
        Proxy {
            url,
            cut_pushes,
            cut_done,
            delay_ms,
            requests,
        }
    }
}

impl Proxy {
    /// Every request as text, a gzipped body (`Content-Encoding: gzip`)
    /// inflated: what crossed the wire, readable.
    pub fn requests_inflated(&self) -> Vec<String> {
        use std::io::Read;
        let requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        requests
            .iter()
            .map(|r| {
                let split = r
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .map_or(r.len(), |i| i + 4);
                let (head, body) = r.split_at(split);
                let head = String::from_utf8_lossy(head).into_owned();
                let body = if head.to_ascii_lowercase().contains("content-encoding: gzip") {
                    let mut out = String::new();
                    flate2::read::GzDecoder::new(body)
                        .read_to_string(&mut out)
                        .expect("a gzip body");
                    out
                } else {
                    String::from_utf8_lossy(body).into_owned()
                };
                head + &body
            })
            .collect()
    }
}

/// One message: its head (through the blank line) and body.
pub fn read_message(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Vec<u8>>> {
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if let Some(v) = line
            .to_ascii_lowercase()
            .strip_prefix("content-length:")
            .map(|v| v.trim().to_owned())
        {
            length = v.parse().unwrap_or(0);
        }
        head.extend_from_slice(line.as_bytes());
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    head.extend_from_slice(&body);
    Ok(Some(head))
}

fn serve(
    client: TcpStream,
    upstream: &str,
    cut: &AtomicU32,
    done: &AtomicU32,
    delay: &AtomicU32,
    seen: &Mutex<Vec<Vec<u8>>>,
) -> std::io::Result<()> {
    let mut to_client = client.try_clone()?;
    let mut from_client = BufReader::new(client);
    let server = TcpStream::connect(upstream)?;
    let mut to_server = server.try_clone()?;
    let mut from_server = BufReader::new(server);
    while let Some(request) = read_message(&mut from_client)? {
        let is_push = request.starts_with(b"POST /sync/v1/push");
        seen.lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(request.clone());
        to_server.write_all(&request)?;
        let Some(response) = read_message(&mut from_server)? else {
            return Ok(());
        };
        if is_push
            && cut
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            // Head office applied it; the branch never hears so.
            done.fetch_add(1, Ordering::SeqCst);
            let _ = to_client.shutdown(std::net::Shutdown::Both);
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(u64::from(
            delay.load(Ordering::SeqCst),
        )));
        to_client.write_all(&response)?;
    }
    Ok(())
}
