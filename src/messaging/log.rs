//! The message log's operations: status, list, detail, resend, cancel,
//! and delivering what is due now.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::{Actor, Permission};
use crate::kernel::clock::to_db;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation, Task};
use crate::kernel::store::ListQuery;
use crate::kernel::types::{BookingId, CustomerId, MessageId, Page, Paging, VehicleId};
use crate::messaging::gateway::{self, GatewayKind};
use crate::messaging::outbox::{Message, MessageStatus, SELECT, count_with_status, find, from_row};
use crate::messaging::sender::Delivered;
use crate::messaging::sender::deliver_due;
use crate::messaging::templates::MessageKind;

// ---- operations -----------------------------------------------------------

/// Whether messages are going out, for everyone who reads the message log:
/// the gateway in use, the pause when it refused the credentials, and what
/// is waiting or needs a person.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryStatusQuery {}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryStatus {
    pub gateway: GatewayKind,
    /// Set while deliveries are paused: the gateway's refusal. An admin
    /// resumes them by saving the gateway settings (or "deliver now").
    pub paused: Option<String>,
    pub queued: u64,
    pub failed: u64,
    /// Left `sending` by a crash: may or may not have arrived; a person decides.
    pub unknown: u64,
}

impl Operation for DeliveryStatusQuery {
    type Output = DeliveryStatus;
    const NAME: &'static str = "messages.status";
    const PERMISSION: Permission = Permission::MessagesRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<DeliveryStatus> {
        Ok(DeliveryStatus {
            gateway: gateway::kind(ctx.conn)?,
            paused: gateway::auth_error(ctx.conn)?,
            queued: count_with_status(ctx.conn, MessageStatus::Queued)?,
            failed: count_with_status(ctx.conn, MessageStatus::Failed)?,
            unknown: count_with_status(ctx.conn, MessageStatus::Unknown)?,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListMessages {
    pub status: Option<MessageStatus>,
    pub kind: Option<MessageKind>,
    pub customer_id: Option<CustomerId>,
    pub booking_id: Option<BookingId>,
    pub vehicle_id: Option<VehicleId>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListMessages {
    type Output = Page<Message>;
    const NAME: &'static str = "messages.list";
    const PERMISSION: Permission = Permission::MessagesRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Message>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let mut q = ListQuery::new(SELECT, "messages m", "1=1");
        q.eq("m.status", self.status.map(|s| s.as_str().into()));
        q.eq("m.kind", self.kind.map(|s| s.as_str().into()));
        q.eq("m.customer_id", self.customer_id.map(|s| s.to_string()));
        q.eq("m.booking_id", self.booking_id.map(|s| s.to_string()));
        q.eq("m.vehicle_id", self.vehicle_id.map(|s| s.to_string()));
        q.order_by("m.created_at", crate::kernel::types::Direction::Desc, "m.");
        q.fetch(ctx.conn, paging, from_row)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetMessage {
    pub id: MessageId,
}

impl Operation for GetMessage {
    type Output = Message;
    const NAME: &'static str = "messages.get";
    const PERMISSION: Permission = Permission::MessagesRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Message> {
        find(ctx.conn, self.id)
    }
}

/// Queues a failed, unknown or canceled message again, with a fresh
/// allowance of attempts. For `unknown`, check with the recipient first:
/// the gateway may have delivered it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResendMessage {
    pub id: MessageId,
}

impl Operation for ResendMessage {
    type Output = Message;
    const NAME: &'static str = "messages.resend";
    const PERMISSION: Permission = Permission::MessagesManage;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Message> {
        move_message(
            ctx,
            self.id,
            &[
                MessageStatus::Failed,
                MessageStatus::Unknown,
                MessageStatus::Canceled,
            ],
            "only failed, unknown or canceled messages are resent",
            "UPDATE messages SET status = 'queued', next_attempt_at = ?2, budget_used = 0, updated_at = ?2
             WHERE id = ?1",
            Action::Resend,
        )
    }
}

/// Stops a queued, failed or unknown message from being sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CancelMessage {
    pub id: MessageId,
}

impl Operation for CancelMessage {
    type Output = Message;
    const NAME: &'static str = "messages.cancel";
    const PERMISSION: Permission = Permission::MessagesManage;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Message> {
        move_message(
            ctx,
            self.id,
            &[
                MessageStatus::Queued,
                MessageStatus::Failed,
                MessageStatus::Unknown,
            ],
            "only queued, failed or unknown messages are canceled",
            "UPDATE messages SET status = 'canceled', next_attempt_at = NULL, updated_at = ?2 WHERE id = ?1",
            Action::Cancel,
        )
    }
}

/// Staff moving one message by hand: allowed only from the statuses in
/// `from` (else a 409 saying `which`), written by `update` (`?1` the id, `?2`
/// now), and audited under `action`. No change-log row: the outbox is this
/// desk's own, not synced.
fn move_message(
    ctx: &Ctx<'_>,
    id: MessageId,
    from: &[MessageStatus],
    which: &str,
    update: &str,
    action: Action,
) -> Result<Message> {
    let before = find(ctx.conn, id)?;
    if !from.contains(&before.status) {
        return Err(Error::conflict(format!(
            "the message is {}; {which}",
            before.status.as_str()
        )));
    }
    ctx.conn.execute(update, (id, to_db(ctx.now)))?;
    let after = find(ctx.conn, id)?;
    crate::kernel::audit::note(ctx, action, EntityKind::Message, &id.to_string(), &after)?;
    Ok(after)
}

/// Delivers every message due now and answers when done (scripts need not
/// wait for the background sender). Tries even while deliveries are paused
/// for refused credentials.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FlushMessages {}

impl Task for FlushMessages {
    type Output = Delivered;
    const NAME: &'static str = "messages.flush";
    const PERMISSION: Permission = Permission::MessagesManage;

    fn run(self, app: &App, _actor: &Actor) -> Result<Delivered> {
        deliver_due(app, None, true)
    }
}

crate::kernel::ops::task!(FlushMessages);
