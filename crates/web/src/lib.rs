//! The web layer: HTML pages (askama + USWDS) and the JSON API under `/api/v1`. Handlers
//! are thin: they parse the request, call `app`, and render the result.

pub mod api;
mod assets;
mod csrf;
mod fragment_body;
mod health;
mod metrics;
mod middleware;
mod page_router;
mod pages;
mod problem;
mod render;
mod session;
mod state;

pub use page_router::PageRoute;
pub use state::{AppState, WebConfig};

use axum::Router;

/// Every page route (method and path template), as the router holds them: what the CSRF test
/// walks.
pub fn page_routes() -> Vec<PageRoute> {
    pages::routes().routes().to_vec()
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    // Around the pages only: the CSRF check of every state-changing form (the API takes bearer
    // tokens, which browsers never send by themselves), and the error page for `PageError`s.
    let pages = pages::routes()
        .into_router()
        .layer(axum::middleware::from_fn(csrf::verify))
        .layer(axum::middleware::from_fn_with_state(state.clone(), render::show_errors));
    Router::new()
        .merge(pages)
        .merge(api::router())
        .merge(health::router())
        .merge(assets::router())
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf::ensure_token))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::timeout))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(state.config.body_limit_bytes))
        .layer(axum::extract::DefaultBodyLimit::max(state.config.body_limit_bytes))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::security_headers))
        .layer(axum::middleware::from_fn(middleware::request_context))
        .with_state(state)
}

/// Binds and serves until Ctrl-C / SIGTERM.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ignored = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
