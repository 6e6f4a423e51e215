//! A listener on 127.0.0.1 that never completes a TCP handshake, for tests of a connect that
//! times out (a blackholed host): its accept queue is filled with connections it never accepts,
//! so the kernel drops every further SYN. Shared by baseten-api's and baseten-deploy's tests
//! (included with `#[path]`).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

pub struct Blackhole {
    pub address: SocketAddr,
    _listener: TcpListener,
    _queued: Vec<TcpStream>,
}

impl Blackhole {
    pub fn start() -> Self {
        // std asks for a backlog of 128, which the kernel caps by somaxconn: connect until a
        // connect gets no answer, and the queue is full.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let mut queued = Vec::new();
        loop {
            match TcpStream::connect_timeout(&address, Duration::from_millis(100)) {
                Ok(stream) => queued.push(stream),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break,
                Err(e) => panic!("filling the accept queue of {address}: {e}"),
            }
            assert!(queued.len() < 10_000, "{address} accepts every connection");
        }
        Self {
            address,
            _listener: listener,
            _queued: queued,
        }
    }
}
