//! WhatsApp message templates: one per kind and language, with built-in
//! defaults in Indonesian and English that an admin may replace. Bodies use
//! `{placeholder}`s; an unknown placeholder is refused when saving, so a
//! stored template always renders.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc, Weekday};
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::Text;
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::text_enum;
use crate::kernel::types::{Language, Money};

text_enum!(
    /// What a message is for.
    MessageKind {
        /// To the customer when a booking is created.
        BookingConfirmation = "booking_confirmation",
        /// To the provider of a service booking when it is created.
        ProviderNotification = "provider_notification",
        /// To the customer when staff move their booking to another slot.
        BookingMoved = "booking_moved",
        /// To a customer who booked on head office's booking page: reply
        /// "YA" to confirm (head office sends it; no desk template).
        ConfirmRequest = "confirm_request",
        /// To the customer the day before the event.
        ReminderH1 = "reminder_h1",
        /// To the customer the day before the event when it is not paid.
        UnpaidH1 = "unpaid_h1",
        /// To a vehicle's owner when its next service is near.
        MaintenanceReminder = "maintenance_reminder",
        /// A test message from the gateway settings.
        Test = "test",
    }
);

impl MessageKind {
    /// The kinds that have a template (every kind but `test`).
    pub const TEMPLATED: [MessageKind; 6] = [
        MessageKind::BookingConfirmation,
        MessageKind::ProviderNotification,
        MessageKind::BookingMoved,
        MessageKind::ReminderH1,
        MessageKind::UnpaidH1,
        MessageKind::MaintenanceReminder,
    ];

    /// Messages the business starts outside a conversation (reminders, a
    /// moved booking, the provider's notice: the provider never wrote): on
    /// Meta's Cloud API these go out as approved templates when mapped.
    pub fn business_initiated(self) -> bool {
        matches!(
            self,
            MessageKind::ProviderNotification
                | MessageKind::BookingMoved
                | MessageKind::ConfirmRequest
                | MessageKind::ReminderH1
                | MessageKind::UnpaidH1
                | MessageKind::MaintenanceReminder
        )
    }

    /// The placeholders that have a value in messages of this kind (a
    /// service reminder has no booking code; a booking message no plate).
    pub fn placeholders(self) -> &'static [&'static str] {
        use MessageKind::*;
        match self {
            BookingConfirmation | ProviderNotification | BookingMoved | ConfirmRequest
            | ReminderH1 | UnpaidH1 => &[
                "customer_name",
                "booking_code",
                "date",
                "time",
                "service",
                "provider",
                "unit",
                "address",
                "amount",
                "business_name",
            ],
            MaintenanceReminder => &["customer_name", "vehicle", "plate", "date", "business_name"],
            Test => &["business_name"],
        }
    }
}

/// Every placeholder a template may use.
pub const PLACEHOLDERS: [&str; 12] = [
    "customer_name",
    "booking_code",
    "date",
    "time",
    "service",
    "provider",
    "unit",
    "address",
    "amount",
    "vehicle",
    "plate",
    "business_name",
];

/// The built-in text of a kind in a language.
pub fn default_body(kind: MessageKind, lang: Language) -> &'static str {
    use Language::*;
    use MessageKind::*;
    match (kind, lang) {
        (BookingConfirmation, Id) => {
            "Halo {customer_name}, terima kasih telah booking di {business_name}. Kode booking Anda {booking_code}, jadwal {date} pukul {time}. Total {amount}."
        }
        (BookingConfirmation, En) => {
            "Hello {customer_name}, thank you for booking with {business_name}. Your booking code is {booking_code}, scheduled for {date} at {time}. Total {amount}."
        }
        (ProviderNotification, Id) => {
            "Halo {provider}, ada booking baru {booking_code}: {service} untuk {customer_name} pada {date} pukul {time} di {address}."
        }
        (ProviderNotification, En) => {
            "Hello {provider}, new booking {booking_code}: {service} for {customer_name} on {date} at {time} at {address}."
        }
        (BookingMoved, Id) => {
            "Halo {customer_name}, jadwal booking {booking_code} ({service}) dipindah ke {date} pukul {time} dengan {provider}. Mohon maaf atas perubahannya. Salam, {business_name}."
        }
        (BookingMoved, En) => {
            "Hello {customer_name}, booking {booking_code} ({service}) has been moved to {date} at {time} with {provider}. We apologise for the change. {business_name}."
        }
        (ConfirmRequest, Id) => {
            "Halo {customer_name}, booking {booking_code} ({service}, {date} pukul {time}) di {business_name} menunggu konfirmasi Anda. Balas YA dalam 30 menit untuk mengonfirmasi."
        }
        (ConfirmRequest, En) => {
            "Hello {customer_name}, booking {booking_code} ({service}, {date} at {time}) at {business_name} awaits your confirmation. Reply YES within 30 minutes to confirm."
        }
        (ReminderH1, Id) => {
            "Halo {customer_name}, kami mengingatkan jadwal Anda besok, {date} pukul {time} (booking {booking_code}). Sampai jumpa di {business_name}!"
        }
        (ReminderH1, En) => {
            "Hello {customer_name}, a reminder of your appointment tomorrow, {date} at {time} (booking {booking_code}). See you at {business_name}!"
        }
        (UnpaidH1, Id) => {
            "Halo {customer_name}, booking {booking_code} untuk besok ({date} pukul {time}) belum lunas. Total {amount}. Mohon selesaikan pembayaran. Terima kasih, {business_name}."
        }
        (UnpaidH1, En) => {
            "Hello {customer_name}, booking {booking_code} for tomorrow ({date} at {time}) is not paid yet. Total {amount}. Please complete the payment. Thank you, {business_name}."
        }
        (MaintenanceReminder, Id) => {
            "Halo {customer_name}, kendaraan {vehicle} ({plate}) Anda dijadwalkan servis pada {date}. Hubungi {business_name} untuk booking servis."
        }
        (MaintenanceReminder, En) => {
            "Hello {customer_name}, your {vehicle} ({plate}) is due for service on {date}. Contact {business_name} to book it."
        }
        (Test, Id) => "Pesan uji dari {business_name}: gateway WhatsApp berfungsi.",
        (Test, En) => "Test message from {business_name}: the WhatsApp gateway works.",
    }
}

/// The placeholders of `body` in order of first appearance; one not in
/// `allowed` is an error on `field`. Text in braces that is not a name
/// (`{ }`, `{1,2}`) is left as it is.
pub fn placeholders(
    body: &str,
    field: &str,
    allowed: &[&'static str],
) -> Result<Vec<&'static str>> {
    let mut found: Vec<&'static str> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            match allowed.iter().find(|p| **p == name) {
                Some(p) => {
                    if !found.contains(p) {
                        found.push(p);
                    }
                }
                None => {
                    return Err(Error::validation(
                        field,
                        format!(
                            "unknown placeholder {{{name}}}; use {}",
                            allowed
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
            rest = &after[end + 1..];
        } else {
            rest = after;
        }
    }
    Ok(found)
}

/// Values for the placeholders; a missing one renders as `-`.
pub type Vars = BTreeMap<String, String>;

/// Replaces every known placeholder in `body` with its value.
pub fn render(body: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if PLACEHOLDERS.contains(&&after[..end]) => {
                let value = vars
                    .get(&after[..end])
                    .map(String::as_str)
                    .filter(|v| !v.is_empty())
                    .unwrap_or("-");
                out.push_str(value);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `Rp 3.500.000` (and `,50` when there are sen).
pub fn rupiah(m: Money) -> String {
    let d = m.decimal().round_dp(2);
    let whole = d.trunc();
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let frac = ((d - whole) * rust_decimal::Decimal::from(100))
        .abs()
        .trunc();
    if frac.is_zero() {
        format!("Rp {grouped}")
    } else {
        format!("Rp {grouped},{frac:0>2}")
    }
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `Senin, 23 November 2026` / `Monday, 23 November 2026`.
pub fn long_date(d: chrono::NaiveDate, lang: Language) -> String {
    let day = match (d.weekday(), lang) {
        (Weekday::Mon, Language::Id) => "Senin",
        (Weekday::Tue, Language::Id) => "Selasa",
        (Weekday::Wed, Language::Id) => "Rabu",
        (Weekday::Thu, Language::Id) => "Kamis",
        (Weekday::Fri, Language::Id) => "Jumat",
        (Weekday::Sat, Language::Id) => "Sabtu",
        (Weekday::Sun, Language::Id) => "Minggu",
        (Weekday::Mon, Language::En) => "Monday",
        (Weekday::Tue, Language::En) => "Tuesday",
        (Weekday::Wed, Language::En) => "Wednesday",
        (Weekday::Thu, Language::En) => "Thursday",
        (Weekday::Fri, Language::En) => "Friday",
        (Weekday::Sat, Language::En) => "Saturday",
        (Weekday::Sun, Language::En) => "Sunday",
    };
    let months = match lang {
        Language::Id => &MONTHS_ID,
        Language::En => &MONTHS_EN,
    };
    format!(
        "{day}, {} {} {}",
        d.day(),
        months[d.month0() as usize],
        d.year()
    )
}

/// Sets `date` and `time` from an instant, in the business time zone.
pub fn set_when(vars: &mut Vars, at: DateTime<Utc>, tz: Tz, lang: Language) {
    let local = at.with_timezone(&tz);
    vars.insert("date".into(), long_date(local.date_naive(), lang));
    vars.insert("time".into(), local.format("%H:%M").to_string());
}

/// The body in force for a kind and language: the admin's, else the default.
pub fn body(conn: &Connection, kind: MessageKind, lang: Language) -> Result<String> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT body FROM message_templates WHERE kind = ?1 AND language = ?2")?
        .query_row((kind, lang), |r| r.get(0))
        .optional()?;
    Ok(stored.unwrap_or_else(|| default_body(kind, lang).to_owned()))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Template {
    pub kind: MessageKind,
    pub language: Language,
    pub body: String,
    /// The placeholders the body uses, in order (Meta template parameters
    /// follow this order unless mapped otherwise).
    pub placeholders: Vec<String>,
    /// The placeholders a body of this kind may use.
    pub allowed: Vec<String>,
    /// True while the built-in text is in force.
    pub is_default: bool,
    pub updated_at: Option<String>,
}

fn template(conn: &Connection, kind: MessageKind, lang: Language) -> Result<Template> {
    let stored: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT body, updated_at FROM message_templates WHERE kind = ?1 AND language = ?2",
        )?
        .query_row((kind, lang), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (body, updated_at, is_default) = match stored {
        Some((b, at)) => (b, Some(at), false),
        None => (default_body(kind, lang).to_owned(), None, true),
    };
    Ok(Template {
        kind,
        allowed: kind
            .placeholders()
            .iter()
            .map(|p| (*p).to_owned())
            .collect(),
        language: lang,
        placeholders: placeholders(&body, "body", &PLACEHOLDERS)
            .unwrap_or_default()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        body,
        is_default,
        updated_at,
    })
}

/// Every kind in every language, with the text in force.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListTemplates {
    pub kind: Option<MessageKind>,
    pub language: Option<Language>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Templates {
    pub data: Vec<Template>,
    /// Every placeholder of any kind (each template lists its own `allowed`).
    pub placeholders: Vec<String>,
}

impl Operation for ListTemplates {
    type Output = Templates;
    const NAME: &'static str = "templates.list";
    const PERMISSION: Permission = Permission::MessagingConfigure;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Templates> {
        let mut data = Vec::new();
        for kind in MessageKind::TEMPLATED {
            if self.kind.is_some_and(|k| k != kind) {
                continue;
            }
            for lang in [Language::Id, Language::En] {
                if self.language.is_some_and(|l| l != lang) {
                    continue;
                }
                data.push(template(ctx.conn, kind, lang)?);
            }
        }
        Ok(Templates {
            data,
            placeholders: PLACEHOLDERS.iter().map(|p| (*p).to_owned()).collect(),
        })
    }
}

pub(crate) fn templated(kind: MessageKind) -> Result<MessageKind> {
    if !MessageKind::TEMPLATED.contains(&kind) {
        return Err(Error::validation(
            "kind",
            format!("{} messages have no template at the desk", kind.as_str()),
        ));
    }
    Ok(kind)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetTemplate {
    pub kind: MessageKind,
    pub language: Language,
}

impl Operation for GetTemplate {
    type Output = Template;
    const NAME: &'static str = "templates.get";
    const PERMISSION: Permission = Permission::MessagingConfigure;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Template> {
        template(ctx.conn, templated(self.kind)?, self.language)
    }
}

/// A template's text: up to 1000 characters (a WhatsApp message is read on a phone).
pub type TemplateBody = Text<0, 1000>;

/// Replaces the text of one kind in one language; `body: null` (or empty)
/// restores the built-in text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTemplate {
    pub kind: MessageKind,
    pub language: Language,
    pub body: Option<TemplateBody>,
}

impl Operation for UpdateTemplate {
    type Output = Template;
    const NAME: &'static str = "templates.update";
    const PERMISSION: Permission = Permission::MessagingConfigure;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Template> {
        let kind = templated(self.kind)?;
        let before = template(ctx.conn, kind, self.language)?;
        match self.body.and_then(Text::non_empty) {
            Some(body) => {
                placeholders(&body, "body", kind.placeholders())?;
                ctx.conn.execute(
                    "INSERT INTO message_templates (kind, language, body, updated_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(kind, language) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                    (kind, self.language, body, to_db(ctx.now)),
                )?;
            }
            None => {
                ctx.conn.execute(
                    "DELETE FROM message_templates WHERE kind = ?1 AND language = ?2",
                    (kind, self.language),
                )?;
            }
        }
        let after = template(ctx.conn, kind, self.language)?;
        ctx.record(
            Action::Update,
            EntityKind::Template,
            &format!("{}.{}", kind.as_str(), self.language.as_str()),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    }
}

/// Placeholder values of a sample booking, for previews.
pub fn sample_vars(ctx: &Ctx<'_>, lang: Language) -> Vars {
    let mut v = Vars::new();
    v.insert("customer_name".into(), "Siti Rahayu".into());
    v.insert("booking_code".into(), "BK-2026-001".into());
    let at = ctx.now + chrono::Duration::days(1);
    set_when(&mut v, at, ctx.settings.time_zone, lang);
    v.insert("service".into(), "Makeup Wisuda".into());
    v.insert("provider".into(), "Dewi MUA".into());
    v.insert("unit".into(), "UNIT-001".into());
    v.insert("address".into(), "Jl. Melati No. 5, Bandung".into());
    v.insert("amount".into(), rupiah(Money::from_rupiah(3_500_000)));
    v.insert("vehicle".into(), "Toyota Avanza".into());
    v.insert("plate".into(), "B 1234 CD".into());
    v.insert("business_name".into(), ctx.settings.business_name.clone());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupiah_groups_thousands() {
        assert_eq!(rupiah(Money::from_rupiah(3_500_000)), "Rp 3.500.000");
        assert_eq!(rupiah(Money::from_rupiah(0)), "Rp 0");
        assert_eq!(rupiah(Money::from_rupiah(999)), "Rp 999");
        assert_eq!(rupiah(Money::from_rupiah(1000)), "Rp 1.000");
    }

    #[test]
    fn each_kind_allows_only_known_placeholders() {
        for kind in MessageKind::TEMPLATED
            .into_iter()
            .chain([MessageKind::Test])
        {
            for p in kind.placeholders() {
                assert!(PLACEHOLDERS.contains(p), "{kind:?} allows unknown {p}");
            }
        }
    }

    #[test]
    fn placeholders_are_checked_and_rendered() {
        assert_eq!(
            placeholders(
                "Hi {customer_name}, {date} {customer_name}",
                "body",
                &PLACEHOLDERS
            )
            .unwrap(),
            vec!["customer_name", "date"]
        );
        let e = placeholders("Hi {nama}", "body", &PLACEHOLDERS).unwrap_err();
        assert_eq!(e.field(), Some("body"));
        assert!(
            placeholders("a { b } {1,2} {", "body", &PLACEHOLDERS)
                .unwrap()
                .is_empty()
        );
        let plate = MessageKind::BookingConfirmation.placeholders();
        assert!(placeholders("{plate}", "body", plate).is_err());
        assert!(
            placeholders(
                "{booking_code}",
                "body",
                MessageKind::MaintenanceReminder.placeholders()
            )
            .is_err()
        );
        let mut v = Vars::new();
        v.insert("customer_name".into(), "Ani".into());
        assert_eq!(
            render("Hi {customer_name} {unit} { x } {", &v),
            "Hi Ani - { x } {"
        );
    }

    #[test]
    fn every_default_uses_known_placeholders() {
        for kind in MessageKind::ALL {
            for lang in [Language::Id, Language::En] {
                placeholders(default_body(*kind, lang), "body", kind.placeholders()).unwrap();
            }
        }
    }
}
