//! A real application over a fresh SQLite file, with one user per role.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, header};
use chrono::{TimeZone, Utc};
use domain::audit::Actor;
use domain::case::NewCase;
use domain::movement::{MovementKind, NewMovement};
use domain::operation::{NewOperation, Operation};
use domain::person::{PersonDetails, Relationship, Sex};
use domain::post::{NewPost, PostKind};
use domain::posture::{Posture, PostureChange};
use domain::scheme::NewScheme;
use domain::{CaseId, MovementId, OperationId, PostId, Role, SchemeId};
use http_body_util::BodyExt;
use store::{NewUser, Store};
use tower::ServiceExt;

pub const PASSWORD: &str = "test password 1";

/// The roles in table order, after "no session".
pub const ROLES: [(&str, Role); 6] = [
    ("hq", Role::HqAdmin),
    ("officer", Role::ConsularOfficer),
    ("caseworker", Role::CaseWorker),
    ("gate", Role::GateOfficer),
    ("liaison", Role::Liaison),
    ("auditor", Role::Auditor),
];

pub struct Fixture {
    pub app: Router,
    pub state: web::AppState,
    pub store: Store,
    pub op: Operation,
    pub post: PostId,
    pub scheme: SchemeId,
    pub movement: MovementId,
    _dir: tempfile::TempDir,
}

pub fn member(relationship: Relationship, given: &str) -> PersonDetails {
    PersonDetails {
        relationship,
        given_name: Some(given.into()),
        family_name: Some("Ahmadzai".into()),
        father_name: None,
        full_name_native: None,
        date_of_birth: None,
        sex: Sex::Male,
        nationalities: vec!["AF".into()],
        documents: vec![],
        contacts: vec![],
        province: None,
        employer: None,
        employer_nation: None,
        years_of_service: None,
        family_ties: Vec::new(),
        at_risk: None,
        medical_need: None,
    }
}

impl Fixture {
    pub async fn new() -> Self {
        Self::with_config(web::Config::default()).await
    }

    pub async fn with_config(config: web::Config) -> Self {
        let (store, dir) = store::testing::sqlite().await;
        let mut tx = store.write(Actor::Console).await.unwrap();
        let op = tx
            .create_operation(&NewOperation {
                id: OperationId::parse("kabul-2021").unwrap(),
                name: "Kabul".into(),
                country: "AF".into(),
                time_zone: "Asia/Kabul".into(),
            })
            .await
            .unwrap();
        let post = NewPost {
            nation: "DEU".into(),
            name: "Embassy of Germany".into(),
            kind: PostKind::Embassy,
            city: "Kabul".into(),
        };
        let post = tx.create_post(&op.id, &post).await.unwrap().id;
        let change = PostureChange {
            posture: Posture::Open,
            effective_at: Utc.with_ymd_and_hms(2021, 8, 1, 0, 0, 0).unwrap(),
            reason: "open".into(),
            source: "test".into(),
        };
        tx.record_posture(post, &change).await.unwrap();
        let scheme = NewScheme {
            code: "FIN-130".into(),
            name: "Finnish quota".into(),
            nation: "FIN".into(),
            description: String::new(),
            quota_principals: Some(130),
            quota_persons: None,
            movement_nations: vec![],
        };
        let scheme = tx.create_scheme(&op.id, &scheme).await.unwrap().id;
        let movement = NewMovement {
            kind: MovementKind::Flight,
            designator: "FIN 1".into(),
            nation: "FIN".into(),
            origin: "HKIA".into(),
            destination: "Helsinki".into(),
            departs_at: Utc.with_ymd_and_hms(2021, 8, 20, 0, 0, 0).unwrap(),
            seats: 100,
            accepts_schemes: vec![scheme],
            shared_with: vec!["NATO".into()],
        };
        let movement = tx.create_movement(&op.id, &movement).await.unwrap().id;
        let hash = web::auth::password::hash(PASSWORD).unwrap();
        for (name, role) in ROLES {
            let nation = (role == Role::Liaison).then(|| "NATO".to_owned());
            let user = NewUser {
                username: name.into(),
                role,
                operation_id: Some(op.id.clone()),
                nation,
                password_hash: hash.clone(),
            };
            tx.create_user(&user).await.unwrap();
        }
        tx.commit().await.unwrap();
        let state = web::AppState::new(store.clone(), config);
        let app = web::app(state.clone());
        Self {
            app,
            state,
            store,
            op,
            post,
            scheme,
            movement,
            _dir: dir,
        }
    }

    pub async fn new_case(&self) -> CaseId {
        let mut tx = self.store.write(Actor::Console).await.unwrap();
        let case = NewCase {
            scheme_id: Some(self.scheme),
            members: vec![
                member(Relationship::Principal, "Nabi"),
                member(Relationship::Child, "Wali"),
            ],
            ..Default::default()
        };
        let id = tx.create_case(&self.op, &case, "officer").await.unwrap();
        tx.commit().await.unwrap();
        id
    }

    /// A household scheduled on the fixture's movement, at a processing
    /// hour (as an approved plan leaves it; set directly, since the
    /// fixture's movement has left and no plan would take it).
    pub async fn scheduled_case(&self) -> CaseId {
        self.schedule(self.new_case().await).await
    }

    /// Schedules `id` on the fixture's movement, as `scheduled_case`.
    pub async fn schedule(&self, id: CaseId) -> CaseId {
        sqlx::query(
            "UPDATE cases SET status = 'scheduled', movement_id = $2, processing_slot = $3 WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(self.movement.to_string())
        .bind("2021-08-19T20:00:00.000000Z")
        .execute(self.store.pool())
        .await
        .unwrap();
        id
    }

    /// A household called forward, with its pass.
    pub async fn called_forward_case(&self) -> (CaseId, domain::pass::Pass) {
        let id = self.scheduled_case().await;
        let mut tx = self.store.write(Actor::Console).await.unwrap();
        let issued = tx.call_forward(id).await.unwrap();
        tx.commit().await.unwrap();
        (id, issued.pass)
    }

    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        self.app.clone().oneshot(req).await.unwrap()
    }

    /// Signs in through the API and returns the cookie header to send.
    pub async fn sign_in(&self, username: &str) -> String {
        let body = serde_json::json!({ "username": username, "password": PASSWORD }).to_string();
        let res = self
            .send(json_request("POST", "/api/session", None, &body))
            .await;
        assert_eq!(res.status(), 200, "sign in as {username}");
        let cookie = res
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        cookie.split(';').next().unwrap().to_owned()
    }
}

pub fn json_request(method: &str, uri: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "localhost");
    if !body.is_empty() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body.to_owned())).unwrap()
}

pub async fn body_text(res: Response<Body>) -> String {
    String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned()
}

pub async fn body_json(res: Response<Body>) -> serde_json::Value {
    serde_json::from_str(&body_text(res).await).unwrap()
}

/// The form token a page carries.
pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries a form token")
        .to_owned()
}

/// A browser's form post.
pub fn form_request(uri: &str, cookie: &str, pairs: &[(&str, &str)]) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string(pairs).unwrap()))
        .unwrap()
}
