//! Logging in (password, then the second factor) and out.

use app::auth::Client;
use app::login::{self, AfterPassword};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use domain::field_errors::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::render::{Nav, csrf_failed, error_page, page};
use crate::session::{COOKIE, ClientInfo, Pending, device_cookie, home_of, removal, session_cookie};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(submit))
        .route("/login/code", get(code_form).post(code_submit))
        .route("/login/code/resend", post(resend))
        .route("/logout", get(confirm_logout).post(logout))
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
    csrf: String,
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
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    let secure = state.config.https();
    let jar = with_device(jar, &mut client, secure);
    match login::password(&state.app, &f.email, &f.password, &client).await {
        Ok(AfterPassword::SecondFactor { token, .. }) => {
            (jar.add(session_cookie(token, secure)), Redirect::to("/login/code")).into_response()
        }
        Ok(AfterPassword::Enrol { token }) => {
            (jar.add(session_cookie(token, secure)), Redirect::to("/second-factor/setup")).into_response()
        }
        Err(app::AppError::Unauthorized(m)) => page(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                nav: None,
                csrf: csrf.0,
                email: f.email,
                notice: None,
                errors: vec![FieldError { field: "email".into(), message: m }],
            },
        ),
        Err(e) => error_page(e, None),
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
    match login::pending_user(&state.app, &token, store::sessions::SECOND_FACTOR).await {
        Ok(u) => {
            let method = second_factor_of(&state, u.user_id()).await;
            let sent_to = domain::mask::email(&u.email);
            page(StatusCode::OK, &CodePage { nav: None, csrf: csrf.0, method, sent_to, notice: None, errors: vec![] })
        }
        Err(_) => Redirect::to("/login?expired=1").into_response(),
    }
}

async fn second_factor_of(state: &AppState, user_id: i64) -> String {
    match store::users::by_id(&state.app.db.conn, user_id).await {
        Ok(Some(u)) => u.second_factor,
        _ => String::new(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeForm {
    csrf: String,
    code: String,
}

async fn code_submit(
    State(state): State<AppState>,
    csrf: Csrf,
    jar: CookieJar,
    Pending(token): Pending,
    ClientInfo(client): ClientInfo,
    Form(f): Form<CodeForm>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    match login::second_factor(&state.app, &token, &f.code, &client).await {
        Ok(done) => {
            let home = home_of(&done.user);
            (jar.add(session_cookie(done.token, state.config.https())), Redirect::to(home)).into_response()
        }
        Err(app::AppError::Invalid(fe)) => {
            let (method, sent_to) = match login::pending_user(&state.app, &token, store::sessions::SECOND_FACTOR).await
            {
                Ok(u) => (second_factor_of(&state, u.user_id()).await, domain::mask::email(&u.email)),
                Err(_) => return Redirect::to("/login?expired=1").into_response(),
            };
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &CodePage { nav: None, csrf: csrf.0, method, sent_to, notice: None, errors: fe.0 },
            )
        }
        Err(app::AppError::Unauthorized(m)) => page(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                nav: None,
                csrf: csrf.0,
                email: String::new(),
                notice: None,
                errors: vec![FieldError { field: "email".into(), message: m }],
            },
        ),
        Err(e) => error_page(e, None),
    }
}

async fn resend(
    State(state): State<AppState>,
    csrf: Csrf,
    Pending(token): Pending,
    ClientInfo(client): ClientInfo,
    Form(f): Form<CodeForm>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    match login::resend_code(&state.app, &token, &client).await {
        Ok(sent_to) => page(
            StatusCode::OK,
            &CodePage {
                nav: None,
                csrf: csrf.0,
                method: "email".into(),
                notice: Some(format!("We sent a new code to {sent_to}. The earlier code no longer works.")),
                sent_to,
                errors: vec![],
            },
        ),
        Err(app::AppError::Unauthorized(_)) => Redirect::to("/login?expired=1").into_response(),
        Err(e) => error_page(e, None),
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct LogoutForm {
    csrf: String,
}

async fn logout(State(state): State<AppState>, csrf: Csrf, jar: CookieJar, Form(f): Form<LogoutForm>) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    if let Some(c) = jar.get(COOKIE)
        && let Err(e) = app::auth::logout(&state.app, c.value()).await
    {
        return error_page(e, None);
    }
    (jar.add(removal(state.config.https())), Redirect::to("/login")).into_response()
}
