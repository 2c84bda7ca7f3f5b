//! First steps of a new user (and of a password reset): set a password, choose a second factor
//! (authenticator app or email code), receive recovery codes.

use app::portal::auth::Stage;
use app::portal::login;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use domain::field_errors::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::page_router::PageRouter;
use crate::render::{Nav, PageError, SimpleForm, page};
use crate::session::{ClientInfo, Pending, home_of, removal, session_cookie};

pub fn routes() -> PageRouter {
    PageRouter::new()
        .get("/set-password", password_form)
        .post("/set-password", password_submit)
        .get("/second-factor/setup", choose)
        .post("/second-factor/setup/totp", totp_begin)
        .post("/second-factor/setup/totp/confirm", totp_confirm)
        .post("/second-factor/setup/email", email_begin)
        .post("/second-factor/setup/email/confirm", email_confirm)
}

fn expired() -> Response {
    Redirect::to("/login?expired=1").into_response()
}

/// A login step that ended (expired or unknown session) starts over; other errors are pages
/// (rate limits included: a [`PageError`] answers 429 with Retry-After).
fn step_failed(e: app::AppError) -> Response {
    match e {
        app::AppError::Unauthorized(_) => expired(),
        other => PageError(other).into_response(),
    }
}

#[derive(Template)]
#[template(path = "set_password.html")]
struct PasswordPage {
    nav: Option<Nav>,
    csrf: String,
    name: String,
    email: String,
    form: SimpleForm,
    errors: Vec<FieldError>,
}

async fn password_form(State(state): State<AppState>, csrf: Csrf, Pending(token): Pending) -> Response {
    match login::pending_user(&state.app, &token, Stage::Password).await {
        Ok(u) => page(
            StatusCode::OK,
            &PasswordPage {
                nav: None,
                csrf: csrf.0,
                name: u.name,
                email: u.email,
                form: SimpleForm::default(),
                errors: vec![],
            },
        ),
        Err(_) => expired(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    password: String,
    confirm: String,
}

async fn password_submit(
    State(state): State<AppState>,
    csrf: Csrf,
    jar: CookieJar,
    Pending(token): Pending,
    ClientInfo(client): ClientInfo,
    Form(f): Form<PasswordForm>,
) -> Response {
    let secure = state.config.https();
    match login::set_password(&state.app, &token, &f.password, &f.confirm, &client).await {
        Ok(Some(next)) => (jar.add(session_cookie(next, secure)), Redirect::to("/second-factor/setup")).into_response(),
        Ok(None) => (jar.add(removal(secure)), Redirect::to("/login?reset=1")).into_response(),
        Err(app::AppError::Invalid(fe)) => match login::pending_user(&state.app, &token, Stage::Password).await {
            Ok(u) => {
                let form = SimpleForm::default().with_errors(&fe);
                page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &PasswordPage { nav: None, csrf: csrf.0, name: u.name, email: u.email, errors: fe.0, form },
                )
            }
            Err(_) => expired(),
        },
        Err(e) => step_failed(e),
    }
}

#[derive(Template)]
#[template(path = "factor_choose.html")]
struct ChoosePage {
    nav: Option<Nav>,
    csrf: String,
    email: String,
}

async fn choose(State(state): State<AppState>, csrf: Csrf, Pending(token): Pending) -> Response {
    match login::pending_user(&state.app, &token, Stage::ChooseFactor).await {
        Ok(u) => page(StatusCode::OK, &ChoosePage { nav: None, csrf: csrf.0, email: domain::mask::email(&u.email) }),
        Err(_) => expired(),
    }
}

#[derive(Template)]
#[template(path = "factor_totp.html")]
struct TotpPage {
    nav: Option<Nav>,
    csrf: String,
    qr_svg: String,
    secret: String,
    errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeForm {
    code: String,
}

async fn totp_begin(State(state): State<AppState>, csrf: Csrf, Pending(token): Pending) -> Response {
    match login::enrol_totp_begin(&state.app, &token).await {
        Ok(s) => page(
            StatusCode::OK,
            &TotpPage { nav: None, csrf: csrf.0, qr_svg: s.qr_svg, secret: s.secret_grouped, errors: vec![] },
        ),
        Err(e) => step_failed(e),
    }
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryPage {
    nav: Option<Nav>,
    csrf: String,
    codes: Vec<String>,
    home: &'static str,
}

fn enrolled(state: &AppState, jar: CookieJar, csrf: Csrf, done: login::Enrolled) -> Response {
    let home = home_of(&done.login.user);
    let nav = Nav { name: done.login.user.name.clone(), ..Nav::default() };
    let jar = jar.add(session_cookie(done.login.token, state.config.https()));
    (jar, page(StatusCode::OK, &RecoveryPage { nav: Some(nav), csrf: csrf.0, codes: done.recovery_codes, home }))
        .into_response()
}

async fn totp_confirm(
    State(state): State<AppState>,
    csrf: Csrf,
    jar: CookieJar,
    Pending(token): Pending,
    ClientInfo(client): ClientInfo,
    Form(f): Form<CodeForm>,
) -> Response {
    match login::enrol_totp_confirm(&state.app, &token, &f.code, &client).await {
        Ok(done) => enrolled(&state, jar, csrf, done),
        Err(app::AppError::Invalid(fe)) => {
            // A new secret would invalidate the app the user just set up; show the same one.
            match login::enrol_totp_again(&state.app, &token).await {
                Ok(s) => page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &TotpPage { nav: None, csrf: csrf.0, qr_svg: s.qr_svg, secret: s.secret_grouped, errors: fe.0 },
                ),
                Err(_) => expired(),
            }
        }
        Err(e) => step_failed(e),
    }
}

#[derive(Template)]
#[template(path = "factor_email.html")]
struct EmailPage {
    nav: Option<Nav>,
    csrf: String,
    sent_to: String,
    errors: Vec<FieldError>,
}

async fn email_begin(
    State(state): State<AppState>,
    csrf: Csrf,
    Pending(token): Pending,
    ClientInfo(client): ClientInfo,
) -> Response {
    match login::enrol_email_begin(&state.app, &token, &client).await {
        Ok(sent_to) => page(StatusCode::OK, &EmailPage { nav: None, csrf: csrf.0, sent_to, errors: vec![] }),
        Err(e) => step_failed(e),
    }
}

async fn email_confirm(
    State(state): State<AppState>,
    csrf: Csrf,
    jar: CookieJar,
    Pending(token): Pending,
    ClientInfo(client): ClientInfo,
    Form(f): Form<CodeForm>,
) -> Response {
    match login::enrol_email_confirm(&state.app, &token, &f.code, &client).await {
        Ok(done) => enrolled(&state, jar, csrf, done),
        Err(app::AppError::Invalid(fe)) => match login::pending_user(&state.app, &token, Stage::ChooseFactor).await {
            Ok(u) => page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &EmailPage { nav: None, csrf: csrf.0, sent_to: domain::mask::email(&u.email), errors: fe.0 },
            ),
            Err(_) => expired(),
        },
        Err(e) => step_failed(e),
    }
}
