//! The customer list: search by name, phone, e-mail or exact KTP.

use rusqlite::types::Value;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::kernel::auth::Permission;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::store::{ListQuery, like_pattern};
use crate::kernel::types::{Page, Paging, parse_sort};
use crate::kernel::validate;

use super::create::KtpNumber;
use super::{COLUMNS, Customer, Gender, KTP, from_row};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListCustomers {
    /// Matches name, phone (any format), e-mail or code.
    pub q: Option<String>,
    /// Exact KTP number.
    pub ktp_number: Option<String>,
    pub gender: Option<Gender>,
    /// `name`, `code`, `created_at` or `last_booking_at`, with `:asc`/`:desc`.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListCustomers {
    type Output = Page<Customer>;
    const NAME: &'static str = "customers.list";
    const PERMISSION: Permission = Permission::CustomersRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Customer>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let full = ctx.may(Permission::CustomersSensitive);
        let page = self.query(ctx)?.fetch(ctx.conn, paging, from_row)?;
        let data = page
            .data
            .into_iter()
            .map(|s| s.reveal(ctx.vault, full))
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            data,
            meta: page.meta,
        })
    }
}

impl ListCustomers {
    /// The SQL this list runs (public so tests can check its query plan).
    pub fn query(&self, ctx: &Ctx<'_>) -> Result<ListQuery> {
        let (sort_col, dir) = parse_sort(
            self.sort.as_deref().unwrap_or("name"),
            "sort",
            &[
                ("name", "name_key"),
                ("code", "code"),
                ("created_at", "created_at"),
                ("last_booking_at", "last_booking_at"),
            ],
        )?;
        let mut q = ListQuery::new(
            format!("SELECT {COLUMNS} FROM customers"),
            "customers",
            "deleted_at IS NULL",
        );
        if let Some(text) = self.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let like = like_pattern(text);
            // A phone typed as 0812… or +62 812… is searched in its stored form.
            let phone_like = validate::phone_prefix(text)
                .map(|p| like_pattern(&p))
                .unwrap_or_else(|| like.clone());
            q.and(
                "(name LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' OR code LIKE ? ESCAPE '\\')",
                [Value::Text(like.clone()), Value::Text(phone_like), Value::Text(like.clone()), Value::Text(like)],
            );
        }
        if let Some(ktp) = &self.ktp_number {
            // An exact match answers "who has this KTP": only for roles that
            // may see KTP numbers, or anyone could probe guessed numbers.
            if !ctx.may(Permission::CustomersSensitive) {
                return Err(Error::Forbidden {
                    action: "filter customers by ktp_number (a role that may see KTP numbers can)",
                });
            }
            let ktp = KtpNumber::parse(ktp).map_err(|m| Error::validation("ktp_number", m))?;
            q.and(
                "ktp_hash = ?",
                [Value::Text(ctx.vault.lookup_hash(KTP, ktp.as_str()))],
            );
        }
        q.eq("gender", self.gender.map(|g| g.as_str().into()));
        q.order_by(sort_col, dir, "");
        Ok(q)
    }
}
