//! API tokens: only hashes are stored; successful checks are cached, failures never are.

use crate::common;

use app::AppError;
use app::portal::users::{actor_for_token, create_token};
use common::world;

#[tokio::test]
async fn token_round_trip_and_unknown_tokens() {
    let w = world().await;
    let token = create_token(&w.app, "agent@brokera.example", "ci").await.unwrap();
    assert!(token.starts_with("ace_") && token.len() == 68);
    let stored: Vec<String> = {
        use sea_orm::ConnectionTrait;
        let rows = w
            .app
            .db
            .conn
            .query_all_raw(sea_orm::Statement::from_string(w.app.db.backend(), "SELECT token_hash FROM api_tokens"))
            .await
            .unwrap();
        rows.iter().map(|r| r.try_get::<String>("", "token_hash").unwrap()).collect()
    };
    assert!(!stored.contains(&token), "the token itself is never stored");
    let a = actor_for_token(&w.app, &token).await.unwrap();
    assert_eq!(a, w.broker_a);
    // Second check answers from the cache with the same actor.
    assert_eq!(actor_for_token(&w.app, &token).await.unwrap(), a);
    let wrong = format!("{}x", &token[..token.len() - 1]);
    assert!(matches!(actor_for_token(&w.app, &wrong).await, Err(AppError::Unauthorized(_))));
    assert!(matches!(create_token(&w.app, "nobody@x.example", "ci").await, Err(AppError::NotFound(_))));
}
