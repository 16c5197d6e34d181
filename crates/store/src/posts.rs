use std::collections::HashMap;

use domain::audit::AuditEntry;
use domain::post::{NewPost, Post, PostKind, PostUpdate};
use domain::posture::{Posture, PostureChange, PostureEvent};
use domain::validation::ValidationErrors;
use domain::{OperationId, PostId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, WriteTx, codec};

fn post(row: &AnyRow) -> Result<Post, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(Post {
        id: codec::get_parsed(row, "id", "post id")?,
        operation_id: codec::get_parsed(row, "operation_id", "operation id")?,
        nation: row.try_get("nation")?,
        name: row.try_get("name")?,
        kind: PostKind::parse(&kind).ok_or(StoreError::Corrupt { what: "post kind" })?,
        city: row.try_get("city")?,
        posture: None,
        posture_since: None,
    })
}

fn posture_event(row: &AnyRow) -> Result<PostureEvent, StoreError> {
    Ok(PostureEvent {
        post_id: codec::get_parsed(row, "post_id", "post id")?,
        posture: codec::get_parsed(row, "posture", "posture")?,
        effective_at: codec::get_time(row, "effective_at")?,
        reason: row.try_get("reason")?,
        source: row.try_get("source")?,
        recorded_at: codec::get_time(row, "recorded_at")?,
        recorded_by: codec::get_opt_parsed(row, "recorded_by", "user id")?,
    })
}

/// Events in effective order, ties broken by the order they were recorded.
const HISTORY_ORDER: &str = "ORDER BY effective_at, id";

impl Store {
    pub async fn get_post(&self, id: PostId) -> Result<Post, StoreError> {
        let row = sqlx::query("SELECT * FROM posts WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("post"))?;
        let mut p = post(&row)?;
        if let Some(last) = self.posture_history(id).await?.last() {
            p.posture = Some(last.posture);
            p.posture_since = Some(last.effective_at);
        }
        Ok(p)
    }

    pub async fn posture_history(&self, id: PostId) -> Result<Vec<PostureEvent>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT * FROM posture_events WHERE post_id = $1 {HISTORY_ORDER}"
        ))
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(posture_event).collect()
    }

    /// Every post of the operation, by nation, each with its current posture
    /// and its whole history: the posture board.
    pub async fn posture_board(
        &self,
        op: &OperationId,
    ) -> Result<Vec<(Post, Vec<PostureEvent>)>, StoreError> {
        let posts =
            sqlx::query("SELECT * FROM posts WHERE operation_id = $1 ORDER BY nation, name")
                .bind(op.as_str())
                .fetch_all(&self.pool)
                .await?;
        let events = sqlx::query(&format!(
            "SELECT e.* FROM posture_events e JOIN posts p ON p.id = e.post_id WHERE p.operation_id = $1 {HISTORY_ORDER}"
        ))
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut by_post: HashMap<PostId, Vec<PostureEvent>> = HashMap::new();
        for row in &events {
            let e = posture_event(row)?;
            by_post.entry(e.post_id).or_default().push(e);
        }
        posts
            .iter()
            .map(|row| {
                let mut p = post(row)?;
                let history = by_post.remove(&p.id).unwrap_or_default();
                if let Some(last) = history.last() {
                    p.posture = Some(last.posture);
                    p.posture_since = Some(last.effective_at);
                }
                Ok((p, history))
            })
            .collect()
    }
}

impl WriteTx {
    pub async fn create_post(
        &mut self,
        op: &OperationId,
        new: &NewPost,
    ) -> Result<Post, StoreError> {
        let p = Post {
            id: PostId::new(),
            operation_id: op.clone(),
            nation: new.nation.clone(),
            name: new.name.trim().to_owned(),
            kind: new.kind,
            city: new.city.trim().to_owned(),
            posture: None,
            posture_since: None,
        };
        sqlx::query(
            "INSERT INTO posts (id, operation_id, nation, name, kind, city, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(p.id.to_string())
        .bind(op.as_str())
        .bind(&p.nation)
        .bind(&p.name)
        .bind(p.kind.as_str())
        .bind(&p.city)
        .bind(codec::time(self.now()))
        .execute(self.conn())
        .await?;
        self.audit(AuditEntry::new("post.create", "post", p.id).detail(format!("operation {op}")))
            .await?;
        Ok(p)
    }

    pub async fn update_post(&mut self, id: PostId, update: &PostUpdate) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE posts SET name = COALESCE($2, name), city = COALESCE($3, city) WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(update.name.as_deref().map(str::trim))
        .bind(update.city.as_deref().map(str::trim))
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("post"));
        }
        self.audit(AuditEntry::new("post.update", "post", id)).await
    }

    /// Appends a posture change. The posture in effect just before the change's
    /// time decides whether it may follow (a reopening needs a closure first).
    pub async fn record_posture(
        &mut self,
        id: PostId,
        change: &PostureChange,
    ) -> Result<PostureEvent, StoreError> {
        let exists = sqlx::query("SELECT id FROM posts WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?;
        if exists.is_none() {
            return Err(StoreError::not_found("post"));
        }
        let before = sqlx::query(
            "SELECT posture FROM posture_events WHERE post_id = $1 AND effective_at <= $2 \
             ORDER BY effective_at DESC, id DESC LIMIT 1",
        )
        .bind(id.to_string())
        .bind(codec::time(change.effective_at))
        .fetch_optional(self.conn())
        .await?;
        let previous: Option<Posture> = before
            .map(|r| codec::get_parsed(&r, "posture", "posture"))
            .transpose()?;
        if !change.posture.can_follow(previous) {
            return Err(StoreError::Invalid(ValidationErrors::single(
                "posture",
                "posture_sequence",
                format!(
                    "{} cannot follow {}",
                    change.posture,
                    previous.map_or("no posture", |p| p.as_str())
                ),
            )));
        }
        let event = PostureEvent {
            post_id: id,
            posture: change.posture,
            effective_at: change.effective_at,
            reason: change.reason.trim().to_owned(),
            source: change.source.trim().to_owned(),
            recorded_at: self.now(),
            recorded_by: self.actor().user_id(),
        };
        sqlx::query(
            "INSERT INTO posture_events (post_id, posture, effective_at, reason, source, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.to_string())
        .bind(event.posture.as_str())
        .bind(codec::time(event.effective_at))
        .bind(&event.reason)
        .bind(&event.source)
        .bind(codec::time(event.recorded_at))
        .bind(event.recorded_by.map(|u| u.to_string()))
        .execute(self.conn())
        .await?;
        let detail = format!(
            "posture {} from {}",
            event.posture,
            codec::time(event.effective_at)
        );
        self.audit(AuditEntry::new("post.posture", "post", id).detail(detail))
            .await?;
        Ok(event)
    }
}
