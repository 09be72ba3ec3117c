//! The HTTP server loop, with the limits a public server needs and `axum::serve` does not set:
//! a client must finish its request head within `header_read_timeout` (hyper's timer), and a
//! shutdown waits at most `grace` for requests in flight. Without them one connection that
//! never finishes its head or body (half-open, or a slow client on purpose) holds a worker
//! forever and keeps a SIGTERM'd server from ever exiting. The body's own timeout (silence
//! between its chunks) is a layer of the router (`WebConfig::body_read_timeout`).

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long the server waits for clients.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A request head not complete after this long closes the connection.
    pub header_read_timeout: Duration,
    /// After the shutdown signal, connections still open after this long are dropped.
    pub grace: Duration,
}

/// Serves `router` on `listener` until `signal`, then drains for at most `limits.grace`.
/// Returns whether every connection finished within it.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    signal: impl Future<Output = ()>,
) -> bool {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(signal);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: wait a moment
                    // rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let service = router.clone().map_request(
            move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(remote));
                req.map(axum::body::Body::new)
            },
        );
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %remote, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => true,
        () = tokio::time::sleep(limits.grace) => {
            tracing::warn!(
                grace_secs = limits.grace.as_secs(),
                "shutdown grace period over: closing the connections still open"
            );
            false
        }
    }
}
