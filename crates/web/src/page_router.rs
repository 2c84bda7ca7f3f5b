//! The pages' router, built from one list that the program can read back.
//!
//! axum's `Router` does not say which routes it holds, so the pages register theirs through
//! [`PageRouter`], which keeps `(method, path)` for each. The list is what
//! `web::page_routes()` returns: the CSRF test walks every state-changing route from it, so a
//! new form cannot escape the test by being forgotten in a hand-written list.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::MethodRouter;

use crate::AppState;

/// One page route: its method and axum path template (`/importers/{id}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRoute {
    pub method: Method,
    pub path: &'static str,
}

#[derive(Default)]
pub struct PageRouter {
    router: Router<AppState>,
    list: Vec<PageRoute>,
}

impl PageRouter {
    pub fn new() -> Self {
        PageRouter::default()
    }

    pub fn get<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, axum::routing::get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, axum::routing::post(handler))
    }

    /// axum merges method routers added for the same path, so `get` and `post` may name one
    /// path twice.
    fn add(mut self, method: Method, path: &'static str, route: MethodRouter<AppState>) -> Self {
        self.list.push(PageRoute { method, path });
        self.router = self.router.route(path, route);
        self
    }

    pub fn merge(mut self, other: PageRouter) -> Self {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }

    pub fn routes(&self) -> &[PageRoute] {
        &self.list
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
