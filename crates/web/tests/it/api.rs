//! The JSON API over real HTTP: auth, validation problems, permissions, history, limits.

use crate::common;

use common::{BROKER_A, BROKER_B, STAFF, importer_json, spawn};
use serde_json::{Value, json};

async fn send(_c: &reqwest::Client, req: reqwest::RequestBuilder) -> (u16, Value) {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if status >= 400 {
        assert_eq!(ct, "application/problem+json", "errors are RFC 9457 problems");
    }
    (status, body)
}

#[tokio::test]
async fn create_get_update_search_history() {
    let t = spawn().await;
    let c = reqwest::Client::new();
    let tok = t.token(BROKER_A).await;
    let url = format!("{}/api/v1/importers", t.base);

    let (s, created) =
        send(&c, c.post(&url).bearer_auth(&tok).json(&importer_json("12-345678900", "ops@acme.example"))).await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["importer_number"], "12-345678900");
    let id = created["id"].as_i64().unwrap();

    let (s, got) = send(&c, c.get(format!("{url}/12-345678900")).bearer_auth(&tok)).await;
    assert_eq!(s, 200);
    assert_eq!(got["id"], id);
    let (s, got) = send(&c, c.get(format!("{url}/{id}")).bearer_auth(&tok)).await;
    assert_eq!((s, got["name"].as_str()), (200, Some("Acme Imports Inc")));

    let mut body = importer_json("12-345678900", "ops@acme.example");
    body["physical_address"]["line1"] = json!("9 Harbor Way");
    body["version"] = json!(1);
    let (s, upd) = send(&c, c.put(format!("{url}/{id}")).bearer_auth(&tok).json(&body)).await;
    assert_eq!(s, 200, "{upd}");
    assert_eq!(upd["version"], 2);
    // Same stale version again: conflict, not a silent overwrite.
    let (s, _) = send(&c, c.put(format!("{url}/{id}")).bearer_auth(&tok).json(&body)).await;
    assert_eq!(s, 409);

    let (s, hist) = send(&c, c.get(format!("{url}/{id}/history")).bearer_auth(&tok)).await;
    assert_eq!(s, 200);
    assert_eq!(hist[0]["action"], "updated");
    assert_eq!(hist[0]["changes"][0]["field"], "physical_line1");
    assert_eq!(hist[0]["changes"][0]["old"], "1 Main St");

    let (s, found) = send(&c, c.get(format!("{url}?q=acme")).bearer_auth(&tok)).await;
    assert_eq!((s, found["total"].as_u64()), (200, Some(1)));
    // Absurd paging is answered, not crashed on.
    let (s, found) = send(&c, c.get(format!("{url}?page=18446744073709551615&per_page=0")).bearer_auth(&tok)).await;
    assert_eq!(s, 200, "{found}");
    assert_eq!(found["items"].as_array().map(Vec::len), Some(0));
    let (s, _) = send(&c, c.get(format!("{url}?page=-1")).bearer_auth(&tok)).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn problems_name_the_fields_to_fix() {
    let t = spawn().await;
    let c = reqwest::Client::new();
    let tok = t.token(BROKER_A).await;
    let url = format!("{}/api/v1/importers", t.base);

    let mut bad = importer_json("12-3456789OO", "agent@brokerb.example");
    bad["physical_address"] = Value::Null;
    let (s, p) = send(&c, c.post(&url).bearer_auth(&tok).json(&bad)).await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"importer_number") && fields.contains(&"physical_address.line1"), "{p}");

    // The broker's email, alone.
    let (s, p) =
        send(&c, c.post(&url).bearer_auth(&tok).json(&importer_json("12-345678900", "agent@brokerb.example"))).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "email");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("importer's own email"));

    // Duplicate number.
    send(&c, c.post(&url).bearer_auth(&tok).json(&importer_json("12-345678900", "ops@acme.example"))).await;
    let (s, p) = send(&c, c.post(&url).bearer_auth(&tok).json(&importer_json("12-3456789", "ops@acme.example"))).await;
    assert_eq!(s, 422);
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("already exists"));

    // Malformed JSON and unknown fields.
    let (s, p) =
        send(&c, c.post(&url).bearer_auth(&tok).header("content-type", "application/json").body("{nope")).await;
    assert_eq!(s, 400, "{p}");
    let mut extra = importer_json("98-765432100", "x@y.example");
    extra["colour"] = json!("red");
    let (s, p) = send(&c, c.post(&url).bearer_auth(&tok).json(&extra)).await;
    assert_eq!(s, 422);
    assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");

    // Unknown and malformed keys.
    let (s, _) = send(&c, c.get(format!("{url}/99-999999900")).bearer_auth(&tok)).await;
    assert_eq!(s, 404);
    let (s, _) = send(&c, c.get(format!("{url}/not-a-number")).bearer_auth(&tok)).await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn auth_and_permissions() {
    let t = spawn().await;
    let c = reqwest::Client::new();
    let url = format!("{}/api/v1/importers", t.base);
    let (s, _) = send(&c, c.get(&url)).await;
    assert_eq!(s, 401);
    let (s, _) = send(&c, c.get(&url).bearer_auth("ace_0000")).await;
    assert_eq!(s, 401);

    let a = t.token(BROKER_A).await;
    let b = t.token(BROKER_B).await;
    let staff = t.token(STAFF).await;
    let (_, rec) =
        send(&c, c.post(&url).bearer_auth(&a).json(&importer_json("12-345678900", "ops@acme.example"))).await;
    let id = rec["id"].as_i64().unwrap();
    let (s, p) =
        send(&c, c.put(format!("{url}/{id}")).bearer_auth(&b).json(&importer_json("12-345678900", "x@acme.example")))
            .await;
    assert_eq!(s, 403);
    assert!(p["detail"].as_str().unwrap().contains("another broker"));
    let (s, _) =
        send(&c, c.post(format!("{url}/{id}/status")).bearer_auth(&a).json(&json!({"status": "inactive"}))).await;
    assert_eq!(s, 403);
    let (s, r) =
        send(&c, c.post(format!("{url}/{id}/status")).bearer_auth(&staff).json(&json!({"status": "inactive"}))).await;
    assert_eq!((s, r["status"].as_str()), (200, Some("inactive")));
}

#[tokio::test]
async fn ssn_numbers_stay_out_of_urls() {
    let t = spawn().await;
    let c = reqwest::Client::new();
    let tok = t.token(STAFF).await;
    let url = format!("{}/api/v1/importers", t.base);
    let mut body = importer_json("123-45-6789", "maria@mail.example");
    body["company_type"] = json!("individual");
    let (s, rec) = send(&c, c.post(&url).bearer_auth(&tok).json(&body)).await;
    assert_eq!(s, 201);
    assert_eq!(rec["importer_number"], "***-**-6789");
    let (s, _) = send(&c, c.get(format!("{url}/123-45-6789")).bearer_auth(&tok)).await;
    assert_eq!(s, 400);
    let (s, _) = send(&c, c.get(format!("{url}?number=123-45-6789")).bearer_auth(&tok)).await;
    assert_eq!(s, 400);
    let (s, found) =
        send(&c, c.post(format!("{url}/search")).bearer_auth(&tok).json(&json!({"number": "123-45-6789"}))).await;
    assert_eq!((s, found["total"].as_u64()), (200, Some(1)));
}

#[tokio::test]
async fn oversize_bodies_are_refused() {
    let t = spawn().await;
    let c = reqwest::Client::new();
    let tok = t.token(STAFF).await;
    let mut body = importer_json("12-345678900", "ops@acme.example");
    body["name"] = json!("x".repeat(300 * 1024));
    let res = c.post(format!("{}/api/v1/importers", t.base)).bearer_auth(&tok).json(&body).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 413);
    assert_eq!(store::importers::count(&t.app.db.conn).await.unwrap(), 0);
}

#[tokio::test]
async fn openapi_document_snapshot() {
    let t = spawn().await;
    let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", t.base)).await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/api/v1/importers/{key}"]["put"].is_object());
    insta::assert_json_snapshot!("openapi", doc);
}
