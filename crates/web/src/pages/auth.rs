//! Logging in (password, then the second factor) and out.

use app::portal::auth::Client;
use app::portal::login::{self, AfterPassword};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use domain::field_errors::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::page_router::PageRouter;
use crate::render::{Nav, PageResult, page};
use crate::session::{COOKIE, ClientInfo, Pending, device_cookie, home_of, removal, session_cookie};

pub fn routes() -> PageRouter {
    PageRouter::new()
        .get("/login", show)
        .post("/login", submit)
        .get("/login/code", code_form)
        .post("/login/code", code_submit)
        .post("/login/code/resend", resend)
        .get("/logout", confirm_logout)
        .post("/logout", logout)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<Nav>,
    csrf: String,
    email: String,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginQuery {
    expired: Option<String>,
    reset: Option<String>,
}

async fn show(csrf: Csrf, Query(q): Query<LoginQuery>) -> Response {
    let notice = if q.expired.is_some() {
        Some("Your session ended. Please log in again.")
    } else if q.reset.is_some() {
        Some("Your password is set. Log in with it now.")
    } else {
        None
    };
    page(StatusCode::OK, &LoginPage { nav: None, csrf: csrf.0, email: String::new(), notice, errors: vec![] })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    email: String,
    password: String,
}

/// The device cookie travels with every login so a "new device" notice can be told apart.
fn with_device(jar: CookieJar, client: &mut Client, secure: bool) -> CookieJar {
    if client.device.is_empty() {
        let c = device_cookie(secure);
        client.device = c.value().to_string();
        jar.add(c)
    } else {
        jar
    }
}

async fn submit(
    State(state): State<AppState>,
    csrf: Csrf,
    jar: CookieJar,
    ClientInfo(mut client): ClientInfo,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let secure = state.config.https();
    let jar = with_device(jar, &mut client, secure);
    match login::password(&state.app, &f.email, &f.password, &client).await {
        Ok(AfterPassword::SecondFactor { token, .. }) => {
            Ok((jar.add(session_cookie(token, secure)), Redirect::to("/login/code")).into_response())
        }
        Ok(AfterPassword::Enrol { token }) => {
            Ok((jar.add(session_cookie(token, secure)), Redirect::to("/second-factor/setup")).into_response())
        }
        Err(app::AppError::Unauthorized(m)) => Ok(page(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                nav: None,
                csrf: csrf.0,
                email: f.email,
                notice: None,
                errors: vec![FieldError { field: "email".into(), message: m }],
            },
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    nav: Option<Nav>,
    csrf: String,
    method: String,
    sent_to: String,
    notice: Option<String>,
    errors: Vec<FieldError>,
}

async fn code_form(State(state): State<AppState>, csrf: Csrf, Pending(token): Pending) -> Response {
    match login::pending_code(&state.app, &token).await {
        Ok(p) => {
            let (method, sent_to) = method_and_address(&p);
            page(StatusCode::OK, &CodePage { nav: None, csrf: csrf.0, method, sent_to, notice: None, errors: vec![] })
        }
        Err(_) => Redirect::to("/login?expired=1").into_response(),
    }
}

/// What the code page says about the factor: its code for the template, the masked address.
fn method_and_address(p: &login::PendingCode) -> (String, String) {
    (p.method.map(|m| m.code()).unwrap_or_default().to_string(), domain::mask::email(&p.user.email))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeForm {
    code: String,
}

async fn code_submit(
    State(state): State<AppState>,
    csrf: Csrf,
    jar: CookieJar,
    Pending(token): Pending,
    ClientInfo(client): ClientInfo,
    Form(f): Form<CodeForm>,
) -> PageResult {
    match login::second_factor(&state.app, &token, &f.code, &client).await {
        Ok(done) => {
            let home = home_of(&done.user);
            Ok((jar.add(session_cookie(done.token, state.config.https())), Redirect::to(home)).into_response())
        }
        Err(app::AppError::Invalid(fe)) => {
            let (method, sent_to) = match login::pending_code(&state.app, &token).await {
                Ok(p) => method_and_address(&p),
                Err(_) => return Ok(Redirect::to("/login?expired=1").into_response()),
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &CodePage { nav: None, csrf: csrf.0, method, sent_to, notice: None, errors: fe.0 },
            ))
        }
        Err(app::AppError::Unauthorized(m)) => Ok(page(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                nav: None,
                csrf: csrf.0,
                email: String::new(),
                notice: None,
                errors: vec![FieldError { field: "email".into(), message: m }],
            },
        )),
        Err(e) => Err(e.into()),
    }
}

async fn resend(
    State(state): State<AppState>,
    csrf: Csrf,
    Pending(token): Pending,
    ClientInfo(client): ClientInfo,
) -> PageResult {
    match login::resend_code(&state.app, &token, &client).await {
        Ok(sent_to) => Ok(page(
            StatusCode::OK,
            &CodePage {
                nav: None,
                csrf: csrf.0,
                method: "email".into(),
                notice: Some(format!("We sent a new code to {sent_to}. The earlier code no longer works.")),
                sent_to,
                errors: vec![],
            },
        )),
        Err(app::AppError::Unauthorized(_)) => Ok(Redirect::to("/login?expired=1").into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage {
    nav: Option<Nav>,
    csrf: String,
}

/// Pages without a form token (error pages) link here; logging out itself stays a POST.
async fn confirm_logout(csrf: Csrf) -> Response {
    page(StatusCode::OK, &LogoutPage { nav: None, csrf: csrf.0 })
}

async fn logout(State(state): State<AppState>, jar: CookieJar) -> PageResult {
    if let Some(c) = jar.get(COOKIE) {
        app::portal::auth::logout(&state.app, c.value()).await?;
    }
    Ok((jar.add(removal(state.config.https())), Redirect::to("/login")).into_response())
}
