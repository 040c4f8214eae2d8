//! WAHA (a self-hosted WhatsApp HTTP API): `POST /api/sendText`.

use serde_json::{Value, json};

use super::{Gateway, Outcome, Outgoing, classify, read, snippet};

impl Gateway {
    pub(super) fn waha(&self, m: &Outgoing<'_>) -> Outcome {
        let url = format!("{}/api/sendText", self.cfg.base_url);
        let mut req = self.client.post(url).json(&json!({
            "session": self.cfg.session,
            "chatId": format!("{}@c.us", m.to),
            "text": m.body,
        }));
        if let Some(t) = &self.cfg.token {
            req = req.header("X-Api-Key", t);
        }
        let (status, retry_after, body) = match read(req.send()) {
            Ok(r) => r,
            Err(o) => return o,
        };
        if (200..300).contains(&status) {
            let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let id = match &json["id"] {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o
                    .get("_serialized")
                    .or_else(|| o.get("id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                _ => json["key"]["id"].as_str().map(str::to_owned),
            };
            return Outcome::Sent { id };
        }
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let text = json["message"]
            .as_str()
            .or_else(|| json["error"].as_str())
            .map_or_else(|| snippet(&body), str::to_owned);
        classify(status, format!("WAHA {status}: {text}"), retry_after)
    }
}
