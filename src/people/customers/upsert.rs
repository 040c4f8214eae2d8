//! The customer of a booking: matched by phone, then e-mail, else created,
//! in the booking's own transaction.

use rusqlite::OptionalExtension;

use crate::kernel::audit::Action;
use crate::kernel::clock::to_db;
use crate::kernel::entity::{Entity, save_as};
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::Text;
use crate::kernel::ops::Ctx;
use crate::kernel::types::CustomerId;
use crate::kernel::validate;

use super::create::{CustomerInput, insert};
use super::{CustomerRef, Record};

/// The outcome of matching a booking's customer against the master.
pub struct Upserted {
    pub id: CustomerId,
    pub created: bool,
    /// Other customers with the same name (a different phone): maybe the same
    /// person, maybe not; staff decide.
    pub possible_duplicate_of: Vec<CustomerRef>,
}

/// Finds or creates the booking's customer in the booking's transaction:
/// match by normalised phone, then by e-mail (case-insensitive); on a match
/// update last booking time and the gender, address and e-mail given.
pub fn upsert_for_booking(ctx: &Ctx<'_>, input: CustomerInput) -> Result<Upserted> {
    let v = input.checked(ctx, "customer.")?;
    let by_phone: Option<CustomerId> = ctx
        .conn
        .prepare_cached("SELECT id FROM customers WHERE phone = ?1 AND deleted_at IS NULL")?
        .query_row([v.phone.as_str()], |r| r.get(0))
        .optional()?;
    let matched = match by_phone {
        Some(id) => Some(id),
        None => match &v.email {
            Some(email) => ctx
                .conn
                .prepare_cached(
                    "SELECT id FROM customers WHERE email_key = ?1 AND deleted_at IS NULL ORDER BY created_at LIMIT 1",
                )?
                .query_row([email.as_str().to_lowercase()], |r| r.get(0))
                .optional()?,
            None => None,
        },
    };
    if let Some(id) = matched {
        // The booking may bring a gender, address, e-mail or language the
        // master lacks or has otherwise: that is an edit (audited, versioned).
        let before = Record::load(ctx.conn, ctx.vault, id)?;
        let mut after = before.clone();
        let c = &mut after.shown;
        if let Some(g) = v.gender {
            c.gender = Some(g);
        }
        if let Some(a) = v.address.and_then(Text::non_empty) {
            c.address = Some(a);
        }
        if let Some(e) = v.email {
            c.email = Some(e.into());
        }
        if let Some(l) = v.language {
            c.language = Some(l);
        }
        // What brought them first stays; only a customer without it learns it.
        if c.customer_type.is_none() {
            c.customer_type = v.customer_type.and_then(Text::non_empty);
        }
        if after.values() == before.values() {
            touch_last_booking(ctx, id)?;
        } else {
            after.shown.last_booking_at = Some(to_db(ctx.now));
            save_as(ctx, Action::Upsert, &before, after)?;
        }
        return Ok(Upserted {
            id,
            created: false,
            possible_duplicate_of: Vec::new(),
        });
    }
    let possible_duplicate_of = ctx
        .conn
        .prepare_cached(
            "SELECT id, code, name, phone, email FROM customers WHERE name_key = ?1 AND deleted_at IS NULL ORDER BY code",
        )?
        .query_map([validate::name_key(v.name.as_str())], |r| {
            Ok(CustomerRef { id: r.get(0)?, code: r.get(1)?, name: r.get(2)?, phone: r.get(3)?, email: r.get(4)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let id = insert(ctx, v, Some(to_db(ctx.now)), "customer.")?;
    Ok(Upserted {
        id,
        created: true,
        possible_duplicate_of,
    })
}

/// Marks an existing customer as having just booked. `last_booking_at` is
/// derived from the bookings (head office recomputes it from the synced
/// bookings), so this is not an edit of the customer: no audit entry, no
/// change-log row, and no new version, so a colleague's open edit of the same
/// customer is not refused as stale because somebody booked meanwhile.
pub fn touch_last_booking(ctx: &Ctx<'_>, id: CustomerId) -> Result<()> {
    let touched = ctx
        .conn
        .prepare_cached(
            "UPDATE customers SET last_booking_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute((id, to_db(ctx.now)))?;
    if touched == 0 {
        return Err(Error::validation("customer_id", "no such customer"));
    }
    Ok(())
}
