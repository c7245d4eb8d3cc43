/*!
A small HTTP(S) server for the fetch tests, on 127.0.0.1 only: std's `TcpListener`, because the
tests need a server that misbehaves on purpose (a body cut off, a response that never comes, an
encoded body nobody asked for), which a well-behaved server crate will not do. HTTPS is a rustls
server (the `ring` provider) presenting a certificate made by `rcgen` for 127.0.0.1.

Each connection gets one response and is closed. Requests are recorded (their head) so that a
test can check what docseal sent. The server stops when dropped; it serves at most
[`MAX_CONNECTIONS`] connections in any case.
*/

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// No test needs more; a runaway client loop ends here.
const MAX_CONNECTIONS: usize = 200;

/// What the server answers on one path.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A status, headers and a body (Content-Length added).
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A redirect with this status to this Location.
    Redirect(u16, String),
    /// Waits this long before answering anything.
    Silent(Duration),
    /// Announces a body of `declared` bytes, sends `body`, and closes the connection.
    Cut { declared: usize, body: Vec<u8> },
    /// A body without Content-Length, in chunks (Transfer-Encoding: chunked).
    Chunked(Vec<u8>),
}

impl Reply {
    /// 200 with a Content-Type and a body.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply::Full {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// The same reply with one more header.
    pub fn with(mut self, name: &str, value: &str) -> Self {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// A status with a short body.
    pub fn status(status: u16) -> Self {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: format!("status {status}\n").into_bytes(),
        }
    }
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    tls: bool,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
    handle: Option<thread::JoinHandle<()>>,
}

/// The TLS side: the certificate made for the server, in PEM, to give docseal as --ca-cert.
pub struct Tls {
    config: Arc<rustls::ServerConfig>,
    pub cert_pem: String,
}

impl Tls {
    /// A certificate for 127.0.0.1 (self-signed, so that it is its own root) and a server
    /// configuration presenting it.
    pub fn new() -> Self {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
        let cert = rustls::pki_types::CertificateDer::from(made.cert.der().to_vec());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(made.signing_key.serialize_der().into());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        Tls {
            config: Arc::new(config),
            cert_pem: made.cert.pem(),
        }
    }
}

impl Server {
    /// An HTTP server answering `routes` (path → reply; anything else is a 404).
    pub fn http(routes: Vec<(&str, Reply)>) -> Self {
        Self::start(routes, None)
    }

    /// An HTTPS server answering `routes` with the certificate of `tls`.
    pub fn https(routes: Vec<(&str, Reply)>, tls: &Tls) -> Self {
        Self::start(routes, Some(tls.config.clone()))
    }

    fn start(routes: Vec<(&str, Reply)>, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let routes: Arc<HashMap<String, Reply>> = Arc::new(
            routes
                .into_iter()
                .map(|(p, r)| (p.to_string(), r))
                .collect(),
        );
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let is_tls = tls.is_some();
        let handle = {
            let stop = stop.clone();
            let requests = requests.clone();
            thread::spawn(move || {
                for stream in listener.incoming().take(MAX_CONNECTIONS) {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let routes = routes.clone();
                    let requests = requests.clone();
                    let tls = tls.clone();
                    thread::spawn(move || {
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                        match tls {
                            None => serve(stream, &routes, &requests),
                            Some(config) => {
                                let Ok(conn) = rustls::ServerConnection::new(config) else {
                                    return;
                                };
                                serve(rustls::StreamOwned::new(conn, stream), &routes, &requests)
                            }
                        }
                    });
                }
            })
        };
        Server {
            addr,
            tls: is_tls,
            stop,
            requests,
            handle: Some(handle),
        }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.addr)
    }

    /// The heads of the requests received so far, lower-cased.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn closed_port_url(path: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}{path}")
}

/// Reads one request head and writes the reply for its path.
fn serve<S: Read + Write>(
    mut stream: S,
    routes: &HashMap<String, Reply>,
    requests: &Mutex<Vec<String>>,
) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).to_lowercase();
    requests.lock().unwrap().push(head.clone());
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let reply = routes.get(&path).cloned().unwrap_or(Reply::status(404));
    let _ = write_reply(&mut stream, reply);
    let _ = stream.flush();
}

fn write_reply<S: Write>(stream: &mut S, reply: Reply) -> std::io::Result<()> {
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            stream.write_all(out.as_bytes())?;
            stream.write_all(&body)
        }
        Reply::Redirect(status, to) => write!(
            stream,
            "HTTP/1.1 {status} {}\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            reason(status)
        ),
        Reply::Silent(wait) => {
            thread::sleep(wait);
            Ok(())
        }
        Reply::Cut { declared, body } => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
            )?;
            stream.write_all(&body)?;
            stream.flush()
        }
        Reply::Chunked(body) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            )?;
            for chunk in body.chunks(1000) {
                write!(stream, "{:x}\r\n", chunk.len())?;
                stream.write_all(chunk)?;
                stream.write_all(b"\r\n")?;
            }
            stream.write_all(b"0\r\n\r\n")
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    }
}
