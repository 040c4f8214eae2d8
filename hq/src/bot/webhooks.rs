//! What the gateways send, read into the bot's terms: the Meta Cloud API's
//! webhook (`entry[].changes[].value.messages[]`, signed with the app
//! secret) and WAHA's `message` event (authenticated by its API key). Pure
//! functions: the handlers in `routes` call them before anything is stored.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::{Sha256, Sha512};

use loket::bot::Inbound;

/// Which gateway delivered a message (part of its dedup key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gateway {
    Meta,
    Waha,
}

impl Gateway {
    pub fn as_str(self) -> &'static str {
        match self {
            Gateway::Meta => "meta",
            Gateway::Waha => "waha",
        }
    }
}

/// One customer message, as a gateway delivered it.
#[derive(Clone, Debug, PartialEq)]
pub struct InboundMessage {
    pub gateway: Gateway,
    /// The gateway's own id: a retried delivery carries the same one.
    pub message_id: String,
    /// Where replies go: the sender's number, digits only (`62…`).
    pub phone: String,
    pub message: Inbound,
}

/// Whether `header` (`X-Hub-Signature-256: sha256=<hex>`) is the HMAC-SHA256
/// of the raw `body` with the app secret. The comparison takes the same time
/// wherever the first wrong byte is (`Mac::verify_slice`).
pub fn meta_signature_valid(app_secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_digest) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_digest) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// Whether `header` (WAHA's `X-Webhook-Hmac`: hex of HMAC-SHA512 of the raw
/// body with the configured key) signs `body`, compared in constant time.
pub fn waha_signature_valid(key: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(expected) = header.and_then(|h| hex::decode(h.trim()).ok()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha512>::new_from_slice(key.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// `X-Webhook-Hmac` for `body`: what WAHA sends (and the tests sign with).
pub fn waha_signature(key: &str, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha512>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(body);
    Some(hex::encode(mac.finalize().into_bytes()))
}

/// `X-Hub-Signature-256` for `body`: what Meta sends (and the tests sign with).
pub fn meta_signature(app_secret: &str, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).ok()?;
    mac.update(body);
    Some(format!(
        "sha256={}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

/// Two secrets compared without stopping at the first difference (the
/// verify token, WAHA's key), so the time taken tells nothing of either.
pub fn same_secret(given: &str, stored: &str) -> bool {
    let (given, stored) = (given.as_bytes(), stored.as_bytes());
    given.len() == stored.len()
        && given
            .iter()
            .zip(stored)
            .fold(0u8, |differs, (a, b)| differs | (a ^ b))
            == 0
}

/// The customer messages of a Meta webhook body. Status callbacks, messages
/// of kinds the bot does not read (images, stickers, …) and malformed
/// entries are left out: Meta is answered 200 for them all, since a retry
/// would not make them readable.
pub fn meta_messages(body: &Value) -> Vec<InboundMessage> {
    meta_items(body, "messages")
        .filter_map(meta_message)
        .collect()
}

/// The status callbacks of a Meta webhook body (`value.statuses[]`): what
/// became of the messages head office sent.
pub fn meta_statuses(body: &Value) -> Vec<crate::outbox::StatusUpdate> {
    meta_items(body, "statuses")
        .filter_map(|s| {
            Some(crate::outbox::StatusUpdate {
                gateway_message_id: s.get("id")?.as_str()?.to_owned(),
                status: s.get("status")?.as_str()?.to_owned(),
                error: s
                    .get("errors")
                    .and_then(|e| e.get(0))
                    .and_then(|e| e.get("title").or_else(|| e.get("message")))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
        })
        .collect()
}

/// Every `entry[].changes[].value.<key>[]` of a Meta webhook body; what is
/// missing or not an array is passed over.
fn meta_items<'a>(body: &'a Value, key: &'a str) -> impl Iterator<Item = &'a Value> {
    let array = |v: Option<&'a Value>| v.and_then(Value::as_array).into_iter().flatten();
    array(body.get("entry"))
        .flat_map(move |entry| array(entry.get("changes")))
        .flat_map(move |change| array(change.get("value").and_then(|v| v.get(key))))
}

fn meta_message(message: &Value) -> Option<InboundMessage> {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let message_id = text(message, "id").filter(|id| !id.is_empty())?;
    let phone = digits(message.get("from")?.as_str()?)?;
    let inbound = match message.get("type")?.as_str()? {
        "text" => Inbound::Text(text(message.get("text")?, "body")?),
        "location" => {
            let pin = message.get("location")?;
            Inbound::Location {
                latitude: coordinate(pin.get("latitude")?, 90.0)?,
                longitude: coordinate(pin.get("longitude")?, 180.0)?,
                name: text(pin, "name"),
                address: text(pin, "address"),
            }
        }
        "interactive" => {
            let interactive = message.get("interactive")?;
            let kind = interactive.get("type")?.as_str()?;
            if kind != "button_reply" && kind != "list_reply" {
                return None;
            }
            let reply = interactive.get(kind)?;
            Inbound::Choice {
                id: text(reply, "id")?,
                title: text(reply, "title").unwrap_or_default(),
            }
        }
        // A template's quick-reply button: its text is what the customer chose.
        "button" => Inbound::Text(text(message.get("button")?, "text")?),
        _ => return None,
    };
    Some(InboundMessage {
        gateway: Gateway::Meta,
        message_id,
        phone,
        message: inbound,
    })
}

/// The customer message of a WAHA webhook body, if it is one: a `message`
/// event from a person (not from the business's own number, not a group).
pub fn waha_message(body: &Value) -> Option<InboundMessage> {
    if body.get("event").and_then(Value::as_str) != Some("message") {
        return None;
    }
    let payload = body.get("payload")?;
    if payload.get("fromMe").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let message_id = payload
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())?
        .to_owned();
    // `62812…@c.us`; groups are `…@g.us`, and the bot talks to people only.
    let phone = digits(payload.get("from")?.as_str()?.strip_suffix("@c.us")?)?;
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let pin = payload.get("location").filter(|l| l.is_object());
    let message = match pin {
        Some(pin) => Inbound::Location {
            latitude: coordinate(pin.get("latitude")?, 90.0)?,
            longitude: coordinate(pin.get("longitude")?, 180.0)?,
            name: text(pin, "name"),
            address: text(pin, "address").or_else(|| text(pin, "description")),
        },
        None => Inbound::Text(text(payload, "body")?),
    };
    Some(InboundMessage {
        gateway: Gateway::Waha,
        message_id,
        phone,
        message,
    })
}

/// A sender's number as digits only (`+62 812…` → `62812…`), 6 to 20 of them.
fn digits(raw: &str) -> Option<String> {
    let digits: String = raw.trim().trim_start_matches('+').to_owned();
    (6..=20).contains(&digits.len()).then_some(())?;
    digits.chars().all(|c| c.is_ascii_digit()).then_some(digits)
}

/// A coordinate as a number or (WAHA) a string, within ±`limit` degrees.
fn coordinate(value: &Value, limit: f64) -> Option<f64> {
    let degrees = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (degrees.is_finite() && degrees.abs() <= limit).then_some(degrees)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta_body(messages: Value) -> Value {
        json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
            {"field": "messages", "value": {"messaging_product": "whatsapp", "messages": messages}}]}]})
    }

    #[test]
    fn a_signature_is_checked_against_the_raw_body() {
        let body = br#"{"entry":[]}"#;
        let header = meta_signature("rahasia", body).expect("signed");
        assert!(meta_signature_valid("rahasia", body, Some(&header)));
        assert!(!meta_signature_valid("lain", body, Some(&header)));
        assert!(!meta_signature_valid(
            "rahasia",
            br#"{"entry": []}"#,
            Some(&header)
        ));
        assert!(!meta_signature_valid("rahasia", body, None));
        assert!(!meta_signature_valid("rahasia", body, Some("sha256=zz")));
        let bare = header.trim_start_matches("sha256=");
        assert!(!meta_signature_valid("rahasia", body, Some(bare)));
    }

    #[test]
    fn meta_text_location_and_choices_are_read() {
        let body = meta_body(json!([
            {"from": "6281234567890", "id": "wamid.1", "type": "text", "text": {"body": "halo"}},
            {"from": "6281234567890", "id": "wamid.2", "type": "location",
             "location": {"latitude": -6.2, "longitude": 106.8, "name": "Rumah", "address": "Jl. Melati 1"}},
            {"from": "6281234567890", "id": "wamid.3", "type": "interactive",
             "interactive": {"type": "list_reply", "list_reply": {"id": "p1", "title": "Rina"}}},
            {"from": "6281234567890", "id": "wamid.4", "type": "image", "image": {}},
            {"from": "62812", "id": "wamid.5", "type": "text", "text": {"body": "pendek"}},
            {"from": "6281234567890", "id": "wamid.6", "type": "location",
             "location": {"latitude": 200.0, "longitude": 106.8}}
        ]));
        let found = meta_messages(&body);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].message, Inbound::Text("halo".into()));
        assert_eq!(found[0].phone, "6281234567890");
        assert_eq!(
            found[1].message,
            Inbound::Location {
                latitude: -6.2,
                longitude: 106.8,
                name: Some("Rumah".into()),
                address: Some("Jl. Melati 1".into())
            }
        );
        assert_eq!(
            found[2].message,
            Inbound::Choice {
                id: "p1".into(),
                title: "Rina".into()
            }
        );
        assert!(meta_messages(&json!({"entry": "x"})).is_empty());
    }

    #[test]
    fn waha_messages_take_string_coordinates_and_skip_our_own() {
        let pin = json!({"event": "message", "payload": {"id": "w1", "from": "6281234567890@c.us",
            "body": "", "location": {"latitude": "-6.25", "longitude": "106.81", "description": "Kantor"}}});
        let found = waha_message(&pin).expect("a pin");
        assert_eq!(
            found.message,
            Inbound::Location {
                latitude: -6.25,
                longitude: 106.81,
                name: None,
                address: Some("Kantor".into())
            }
        );
        let own = json!({"event": "message", "payload": {"id": "w2", "from": "6281234567890@c.us", "fromMe": true, "body": "x"}});
        assert!(waha_message(&own).is_none());
        let group = json!({"event": "message", "payload": {"id": "w3", "from": "1203630@g.us", "body": "x"}});
        assert!(waha_message(&group).is_none());
        let ack = json!({"event": "message.ack", "payload": {"id": "w4"}});
        assert!(waha_message(&ack).is_none());
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
    }
}
