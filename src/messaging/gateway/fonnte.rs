//! Fonnte (an Indonesian WhatsApp gateway): `POST /send`, form-encoded.

use serde_json::Value;

use super::{Gateway, Outcome, Outgoing, classify, read, snippet};

impl Gateway {
    pub(super) fn fonnte(&self, m: &Outgoing<'_>) -> Outcome {
        let url = format!("{}/send", self.cfg.base_url);
        let req = self
            .client
            .post(url)
            .header("Authorization", self.token())
            .form(&[("target", m.to), ("message", m.body)]);
        let (status, retry_after, body) = match read(req.send()) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if (200..300).contains(&status) && json["status"] == Value::Bool(true) {
            let id = match &json["id"] {
                Value::Array(ids) => ids.first().and_then(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                }),
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            return Outcome::Sent { id };
        }
        if (200..300).contains(&status) {
            let reason = json["reason"]
                .as_str()
                .map_or_else(|| snippet(&body), str::to_owned);
            let error = format!("Fonnte: {reason}");
            // Fonnte answers 200 with a reason; none of them improves by retrying.
            let lower = reason.to_lowercase();
            if lower.contains("token") && (lower.contains("invalid") || lower.contains("expired")) {
                return Outcome::AuthFailed { error };
            }
            return Outcome::Failed { error };
        }
        let reason = json["reason"]
            .as_str()
            .map_or_else(|| snippet(&body), str::to_owned);
        classify(status, format!("Fonnte {status}: {reason}"), retry_after)
    }
}
