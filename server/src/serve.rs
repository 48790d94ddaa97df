//! The HTTP/1.1 server loop: what `axum::serve` does, plus deadlines for slow clients.
//!
//! `axum::serve` waits for a request's headers and body as long as the client likes, so a few
//! hundred connections that send one byte now and then (slowloris) would hold the server's
//! sockets forever. Here hyper closes a connection whose headers do not arrive within
//! [`Timeouts::header_read`], and a body still arriving [`Timeouts::body`] after its headers
//! fails the read (`crate::request::ApiJson` answers 408). Bodies stay size-limited by the
//! router (`DefaultBodyLimit`, `MAX_BODY`).
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::{Service, ServiceExt};

#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// From the first byte awaited to the end of the request's headers. hyper starts this
    /// clock when it waits for the next request, so it also closes a keep-alive connection
    /// left idle this long (browsers then open a new one).
    pub header_read: Duration,
    /// From the end of the headers to the end of the body, however it trickles in.
    pub body: Duration,
}

impl Default for Timeouts {
    /// A phone on a poor network sends a 64 KiB body well within 30 s; headers are a few
    /// hundred bytes.
    fn default() -> Self {
        Timeouts {
            header_read: Duration::from_secs(10),
            body: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting and waits for
/// the requests in flight (graceful shutdown). Handlers see `ConnectInfo<SocketAddr>`.
pub async fn run(
    listener: TcpListener,
    app: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let body_timeout = timeouts.body;
    // A request without a body (most are GETs) has nothing to time: no timer for it.
    let app = app.layer(axum::middleware::map_request(
        move |request: Request| async move {
            request.map(|body| {
                if hyper::body::Body::is_end_stream(&body) {
                    body
                } else {
                    Body::new(DeadlineBody::new(body, body_timeout))
                }
            })
        },
    ));
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    // Every connection holds a receiver of `stop`: dropping the sender tells them to finish.
    // Every connection task holds a receiver of `all_closed`: when none is left, all are done.
    let (stop, stopping) = watch::channel(());
    let (all_closed, open) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = make_service
            .call(peer)
            .await
            .unwrap_or_else(|never| match never {});
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            service.clone().oneshot(request.map(Body::new))
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(timeouts.header_read)
            .keep_alive(true);
        let mut stopping = stopping.clone();
        let open = open.clone();
        tokio::spawn(async move {
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            let mut finishing = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(error) = result {
                            tracing::debug!(%error, %peer, "connection ended with an error");
                        }
                        break;
                    }
                    // Finishes the request in flight, if any, then closes.
                    _ = stopping.changed(), if !finishing => {
                        finishing = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(open);
        });
    }
    drop(listener);
    drop(stop);
    drop(open);
    all_closed.closed().await;
    Ok(())
}

/// Too many open files and the like: the connection was not taken; retry after a pause
/// rather than spin. A connection reset before it was accepted is no failure at all.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept a connection");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// The body read took longer than [`Timeouts::body`].
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTimeout;

/// A request body with one deadline for all of it (tower-http's `TimeoutBody` restarts its
/// clock at every chunk, which a client sending a byte now and then never runs into).
struct DeadlineBody {
    body: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl DeadlineBody {
    fn new(body: Body, timeout: Duration) -> Self {
        DeadlineBody {
            body,
            deadline: Box::pin(tokio::time::sleep(timeout)),
        }
    }
}

impl hyper::body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        if this.body.is_end_stream() {
            return Poll::Ready(None);
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(axum::Error::new(BodyTimeout))));
        }
        Poll::Ready(ready!(Pin::new(&mut this.body).poll_frame(cx)))
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
